package ksim.mm;

import static ksim.mm.Mman.*;
import static ksim.mm.VmFlags.*;

import java.util.function.LongSupplier;
import ksim.kernel.Errno;
import ksim.kernel.Param;

/**
 * The address-space changes of mm/mmap.c and mm/vma.c on one mm: do_mmap() with
 * get_unmapped_area() (top-down from mmap_base, then bottom-up), do_vmi_munmap() with VMA
 * splitting, and brk() growing and shrinking the heap. Each operation checks everything
 * before it changes anything, so a refused call leaves the mm as it was.
 */
public final class Mmap {
    private Mmap() {}

    /** TASK_UNMAPPED_BASE: where the bottom-up fallback search starts. */
    static final long TASK_UNMAPPED_BASE = MmLayout.pageAlign(MmLayout.TASK_SIZE / 3);
    /** The flags of the heap (do_brk_flags: VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT). */
    public static final long BRK_FLAGS = VM_READ | VM_WRITE | VM_MAY_ALL | VM_ACCOUNT;

    /**
     * do_mmap(): maps length bytes of path at offset (or anonymous memory with MAP_ANONYMOUS
     * and a null path) and returns the address. commitLimitPages is the most one accountable
     * mapping may charge (the heuristic overcommit check: total RAM plus swap); nextIno names
     * the shmem file behind a shared anonymous mapping.
     */
    public static long mmap(MmStruct mm, long addr, long length, int prot, int flags, String path, long offset,
                            LongSupplier nextIno, long commitLimitPages) {
        if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) != 0) throw Errno.EINVAL.error("unknown protection bits");
        if (offset < 0 || (offset & (Param.PAGE_SIZE - 1)) != 0) throw Errno.EINVAL.error("offset must be a multiple of the page size");
        if (length == 0) throw Errno.EINVAL.error("length must not be 0");
        if (length < 0 || length > MmLayout.TASK_SIZE) throw Errno.ENOMEM.error("length exceeds the address space");
        long len = MmLayout.pageAlign(length);
        int type = flags & MAP_TYPE;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE) {
            throw Errno.EINVAL.error("exactly one of MAP_SHARED and MAP_PRIVATE is needed");
        }
        if (type == MAP_SHARED_VALIDATE && (flags & ~LEGACY_MAP_MASK) != 0) throw Errno.EOPNOTSUPP.error("unknown flags");
        boolean shared = type != MAP_PRIVATE;
        boolean anonymous = (flags & MAP_ANONYMOUS) != 0;
        if (anonymous && path != null) throw Errno.EINVAL.error("an anonymous mapping maps no file");
        if (!anonymous && path == null) throw Errno.EBADF.error("a file mapping needs a file");
        if (mm.mapCount() > MmLayout.MAX_MAP_COUNT) throw Errno.ENOMEM.error("too many mappings");

        long vmFlags = protBits(prot) | VM_MAY_ALL;
        VmFile file = null;
        long pgoff = 0;
        if (anonymous) {
            if (shared) {
                vmFlags |= VM_SHARED | VM_MAYSHARE;
                file = VmFile.sharedAnon(nextIno.getAsLong());
            }
            if ((flags & MAP_GROWSDOWN) != 0) vmFlags |= VM_GROWSDOWN;
        } else {
            file = VmFile.of(path);
            pgoff = offset >>> Param.PAGE_SHIFT;
            if (shared && (prot & PROT_WRITE) != 0) vmFlags |= VM_SHARED | VM_MAYSHARE;
            // A shared mapping without PROT_WRITE is taken to come from a read-only open.
            else if (shared) vmFlags = (vmFlags | VM_MAYSHARE) & ~VM_MAYWRITE;
        }
        if ((flags & MAP_NORESERVE) != 0) vmFlags |= VM_NORESERVE;
        if ((flags & MAP_LOCKED) != 0) vmFlags |= VM_LOCKED;
        if (isAccountable(vmFlags)) {
            vmFlags |= VM_ACCOUNT;
            if ((len >>> Param.PAGE_SHIFT) > commitLimitPages) throw Errno.ENOMEM.error("more than the memory there is to commit");
        }

        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        long start;
        if (fixed) {
            if ((addr & (Param.PAGE_SIZE - 1)) != 0) throw Errno.EINVAL.error("a fixed address must be page aligned");
            if (addr < 0 || addr > MmLayout.TASK_SIZE - len) throw Errno.ENOMEM.error("beyond the address space");
            if (addr < MmLayout.MMAP_MIN_ADDR) throw Errno.EPERM.error("below mmap_min_addr");
            if ((flags & MAP_FIXED) == 0 && !mm.overlapping(addr, addr + len).isEmpty()) {
                throw Errno.EEXIST.error("MAP_FIXED_NOREPLACE over an existing mapping");
            }
            start = addr;
            if (mm.mapCount() + 1 + mm.splitsToUnmap(start, start + len) > MmLayout.MAX_MAP_COUNT) {
                throw Errno.ENOMEM.error("too many mappings");
            }
            mm.updateHiwater();
            mm.removeRange(start, start + len);
        } else {
            start = getUnmappedArea(mm, len, addr);
        }
        mm.insert(new Vma(start, start + len, vmFlags, pgoff, file, null));
        if ((flags & (MAP_POPULATE | MAP_LOCKED)) != 0) Fault.populate(mm, start, start + len);
        mm.updateHiwater();
        return start;
    }

    /** calc_vm_prot_bits(). */
    static long protBits(int prot) {
        long f = 0;
        if ((prot & PROT_READ) != 0) f |= VM_READ;
        if ((prot & PROT_WRITE) != 0) f |= VM_WRITE;
        if ((prot & PROT_EXEC) != 0) f |= VM_EXEC;
        return f;
    }

    /**
     * get_unmapped_area(): the hint if that range is free, else the highest free range below
     * mmap_base (vm_unmapped_area top-down), else the lowest above TASK_UNMAPPED_BASE.
     * Stacks keep their guard gap free below them.
     */
    public static long getUnmappedArea(MmStruct mm, long len, long hint) {
        if (len > MmLayout.TASK_SIZE - MmLayout.MMAP_MIN_ADDR) throw Errno.ENOMEM.error("length exceeds the address space");
        if (hint != 0) {
            long a = MmLayout.pageAlign(hint);
            if (a >= MmLayout.MMAP_MIN_ADDR && a <= MmLayout.TASK_SIZE - len && isFree(mm, a, a + len)) return a;
        }
        long a = topDown(mm, len, MmLayout.MMAP_MIN_ADDR, mm.mmapBase);
        if (a < 0) a = bottomUp(mm, len, TASK_UNMAPPED_BASE, MmLayout.TASK_SIZE);
        if (a < 0) throw Errno.ENOMEM.error("no free range of " + len + " bytes");
        return a;
    }

    private static boolean isFree(MmStruct mm, long start, long end) {
        Vma next = mm.findVma(start);
        if (next != null && end > next.startGap()) return false;
        Vma prev = mm.mmap.lower(start);
        return prev == null || prev.end <= start;
    }

    private static long topDown(MmStruct mm, long len, long low, long high) {
        long gapEnd = high;
        for (int i = mm.mmap.size() - 1; i >= 0; i--) {
            Vma v = mm.mmap.get(i);
            if (v.startGap() >= gapEnd) continue;
            if (v.end <= gapEnd && gapEnd - v.end >= len) return gapEnd - len;
            gapEnd = v.startGap();
            if (gapEnd < low + len) return -1;
        }
        return gapEnd - low >= len ? gapEnd - len : -1;
    }

    private static long bottomUp(MmStruct mm, long len, long low, long high) {
        long gapStart = low;
        for (Vma v : mm.mmap.values()) {
            if (v.end <= gapStart) continue;
            if (v.startGap() >= gapStart + len) return gapStart;
            gapStart = Math.max(gapStart, v.end);
            if (gapStart > high - len) return -1;
        }
        return high - gapStart >= len ? gapStart : -1;
    }

    /** do_vmi_munmap(): unmaps [addr, addr + length), splitting VMAs that straddle its ends. */
    public static void munmap(MmStruct mm, long addr, long length) {
        if ((addr & (Param.PAGE_SIZE - 1)) != 0) throw Errno.EINVAL.error("address must be page aligned");
        if (addr < 0 || addr > MmLayout.TASK_SIZE || length < 0 || length > MmLayout.TASK_SIZE - addr) {
            throw Errno.EINVAL.error("range outside the address space");
        }
        long len = MmLayout.pageAlign(length);
        if (len == 0) throw Errno.EINVAL.error("length must not be 0");
        if (mm.splitsToUnmap(addr, addr + len) > 0 && mm.mapCount() >= MmLayout.MAX_MAP_COUNT) {
            throw Errno.ENOMEM.error("splitting would exceed max_map_count");
        }
        mm.updateHiwater();
        mm.removeRange(addr, addr + len);
    }

    /**
     * brk(): moves the program break to newBrk and returns the break in force afterwards,
     * which is the old one if the move was refused (below start_brk, into another mapping,
     * or beyond what may be committed), as the system call does.
     */
    public static long brk(MmStruct mm, long newBrk, long commitLimitPages) {
        if (newBrk < mm.startBrk || newBrk > MmLayout.TASK_SIZE) return mm.brk;
        long newAligned = MmLayout.pageAlign(newBrk);
        long oldAligned = MmLayout.pageAlign(mm.brk);
        if (newAligned == oldAligned) {
            mm.brk = newBrk;
            return newBrk;
        }
        if (newBrk <= mm.brk) {
            if (mm.splitsToUnmap(newAligned, oldAligned) > 0 && mm.mapCount() >= MmLayout.MAX_MAP_COUNT) return mm.brk;
            mm.updateHiwater();
            mm.removeRange(newAligned, oldAligned);
            mm.brk = newBrk;
            return newBrk;
        }
        if (((newAligned - oldAligned) >>> Param.PAGE_SHIFT) > commitLimitPages) return mm.brk;
        Vma next = mm.findVma(oldAligned);
        if (next != null && newAligned + Param.PAGE_SIZE > next.startGap()) return mm.brk;
        if (mm.mapCount() >= MmLayout.MAX_MAP_COUNT) return mm.brk;
        mm.insert(new Vma(oldAligned, newAligned, BRK_FLAGS, 0, null, null));
        mm.brk = newBrk;
        mm.updateHiwater();
        return newBrk;
    }
}
