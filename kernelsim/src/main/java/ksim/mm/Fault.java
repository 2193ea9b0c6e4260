package ksim.mm;

import static ksim.mm.VmFlags.*;

import java.util.function.UnaryOperator;
import ksim.kernel.Errno;
import ksim.kernel.Param;

/**
 * Page faults (mm/memory.c handle_mm_fault) and mm_populate() (mm/gup.c): touching a page
 * makes it present. A read of a file mapping maps the page-cache page; a write to a private
 * mapping gets an anonymous copy (COW); a write to a shared file mapping dirties the
 * page-cache page; anonymous memory gets zeroed anonymous pages; shmem gets shmem pages.
 * PFN maps (vvar) have no struct pages and are never counted.
 */
public final class Fault {
    private Fault() {}

    /**
     * Touches every page of [addr, addr + length), reading or writing; returns the number of
     * faults (pages that became present or changed kind). EFAULT, before anything changes,
     * if part of the range is unmapped or does not allow the access.
     */
    public static long touch(MmStruct mm, long addr, long length, boolean write) {
        if (length < 0) throw Errno.EINVAL.error("negative length");
        if (length == 0) return 0;
        if (addr < 0 || addr > MmLayout.TASK_SIZE - length) throw Errno.EFAULT.error("outside the address space");
        long from = addr & ~(Param.PAGE_SIZE - 1L);
        long to = MmLayout.pageAlign(addr + length);
        long cursor = from;
        while (cursor < to) {
            Vma v = mm.vmaAt(cursor);
            if (v == null) throw Errno.EFAULT.error(String.format("no mapping at %x", cursor));
            long need = write ? VM_WRITE : VM_READ | VM_EXEC;
            if ((v.flags & need) == 0) throw Errno.EFAULT.error(String.format("%s access to %x not allowed", write ? "write" : "read", cursor));
            cursor = v.end;
        }
        long faults = 0;
        for (Vma v : mm.overlapping(from, to)) faults += fault(mm, v, Math.max(from, v.start), Math.min(to, v.end), write);
        mm.updateHiwater();
        return faults;
    }

    /** populate_vma_page_range(): faults in every page of the mappings in [start, end), writing to private writable ones. */
    static long populate(MmStruct mm, long start, long end) {
        long faults = 0;
        for (Vma v : mm.overlapping(start, end)) {
            if ((v.flags & (VM_READ | VM_WRITE | VM_EXEC)) == 0) continue;
            boolean write = (v.flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
            faults += fault(mm, v, Math.max(start, v.start), Math.min(end, v.end), write);
        }
        return faults;
    }

    /** Makes [from, to) of v, a VMA of mm, present with the kind a fault of that access produces. */
    static long fault(MmStruct mm, Vma v, long from, long to, boolean write) {
        if ((v.flags & (VM_PFNMAP | VM_IO)) != 0) return 0;
        return mm.changePages(v, from >>> Param.PAGE_SHIFT, to >>> Param.PAGE_SHIFT, kindAfter(v, write));
    }

    /** What a page of v becomes after an access: its current kind (null if absent) to the new one. */
    static UnaryOperator<PageKind> kindAfter(Vma v, boolean write) {
        if (v.isAnonymous()) return k -> k == null || k == PageKind.SWAP ? PageKind.ANON : k;
        PageKind backing = v.file != null && v.file.shmem() ? PageKind.SHMEM : PageKind.FILE;
        boolean mayShare = v.has(VM_MAYSHARE);
        if (write && !mayShare) return k -> PageKind.ANON;
        if (write && backing == PageKind.FILE) return k -> PageKind.FILE_DIRTY;
        return k -> k == null ? backing : k;
    }
}
