package ksim.fs.proc;

import ksim.kernel.Kernel;
import ksim.kernel.Task;
import ksim.mm.MmLayout;
import ksim.mm.MmStruct;
import ksim.mm.Rmap;
import ksim.mm.Specials;
import ksim.mm.Vma;
import ksim.mm.VmFlags;

/**
 * /proc/<pid>/maps, smaps and smaps_rollup (fs/proc/task_mmu.c show_map, show_smap,
 * show_smaps_rollup): one line (or block) per VMA of the task's mm, the [vsyscall] gate
 * page last, all read from the same VMAs that status and statm count. Called under the
 * kernel lock.
 */
final class TaskMmu {
    /** Where the name column starts: the header is padded to 25 + 6 * sizeof(void *) - 1 columns, then a space. */
    static final int NAME_COLUMN = 73;

    /** show_smap_vma_flags(): the two-letter names of the vm_flags bits, in bit order. */
    private static final long[] FLAG_BITS = {
        VmFlags.VM_READ, VmFlags.VM_WRITE, VmFlags.VM_EXEC, VmFlags.VM_SHARED, VmFlags.VM_MAYREAD,
        VmFlags.VM_MAYWRITE, VmFlags.VM_MAYEXEC, VmFlags.VM_MAYSHARE, VmFlags.VM_GROWSDOWN, VmFlags.VM_PFNMAP,
        VmFlags.VM_LOCKED, VmFlags.VM_IO, VmFlags.VM_SEQ_READ, VmFlags.VM_RAND_READ, VmFlags.VM_DONTCOPY,
        VmFlags.VM_DONTEXPAND, VmFlags.VM_LOCKONFAULT, VmFlags.VM_ACCOUNT, VmFlags.VM_NORESERVE, VmFlags.VM_HUGETLB,
        VmFlags.VM_SYNC, VmFlags.VM_ARCH_1, VmFlags.VM_WIPEONFORK, VmFlags.VM_DONTDUMP, VmFlags.VM_SOFTDIRTY,
        VmFlags.VM_MIXEDMAP, VmFlags.VM_HUGEPAGE, VmFlags.VM_NOHUGEPAGE, VmFlags.VM_MERGEABLE,
    };
    private static final String[] FLAG_NAMES = {
        "rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "pf", "lo", "io", "sr", "rr", "dc", "de", "lf", "ac",
        "nr", "ht", "sf", "ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg",
    };

    private TaskMmu() {}

    /** show_map(): the maps file. A task without an mm (kernel thread) has none: empty. */
    static byte[] maps(Task t) {
        Text s = new Text();
        MmStruct mm = t.mm();
        if (mm == null) return s.bytes();
        for (Vma v : mm.vmas()) mapLine(s, mm, v);
        gateLine(s);
        return s.bytes();
    }

    /** show_smap(): each maps line followed by its memory statistics and flags. */
    static byte[] smaps(Kernel k, Task t) {
        Text s = new Text();
        MmStruct mm = t.mm();
        if (mm == null) return s.bytes();
        Rmap rmap = k.mmSyscalls().rmap();
        for (Vma v : mm.vmas()) {
            mapLine(s, mm, v);
            smapBlock(s, v.end() - v.start(), MemSizeStats.of(v, rmap), v.flags());
        }
        gateLine(s);
        smapBlock(s, MmLayout.VSYSCALL_END - MmLayout.VSYSCALL_START, new MemSizeStats(), Specials.VSYSCALL_FLAGS);
        return s.bytes();
    }

    /**
     * show_smaps_rollup(): one header spanning the first to the last VMA (the gate page is
     * not among them) and the sums. A task without an mm has nothing to roll up: ESRCH.
     */
    static byte[] smapsRollup(Kernel k, Task t) {
        MmStruct mm = t.mm();
        if (mm == null) throw ksim.kernel.Errno.ESRCH.error("task " + t.pid() + " has no address space");
        Rmap rmap = k.mmSyscalls().rmap();
        MemSizeStats sum = new MemSizeStats();
        long first = -1, last = 0;
        for (Vma v : mm.vmas()) {
            if (first < 0) first = v.start();
            last = v.end();
            sum.add(MemSizeStats.of(v, rmap));
        }
        Text s = new Text();
        named(s, header(Math.max(first, 0), last, 0, 0, 0, 0, 0), "[rollup]");
        showSmap(s, sum, true);
        return s.bytes();
    }

    /** show_map_vma(): the header and, after the padding, the file path or the mapping's name. */
    private static void mapLine(Text s, MmStruct mm, Vma v) {
        var f = v.file();
        String h = header(v.start(), v.end(), v.flags(), f == null ? 0 : v.pgoff() << 12,
                f == null ? 0 : f.major(), f == null ? 0 : f.minor(), f == null ? 0 : f.ino());
        String name = f != null ? f.displayName()
                : v.special() != null ? v.special()
                : mm.isHeap(v) ? "[heap]"
                : mm.isStack(v) ? "[stack]" : null;
        if (name == null) s.put(h).put('\n');
        else named(s, h, escape(name));
    }

    private static void gateLine(Text s) {
        named(s, header(MmLayout.VSYSCALL_START, MmLayout.VSYSCALL_END, Specials.VSYSCALL_FLAGS, 0, 0, 0, 0), Specials.VSYSCALL);
    }

    /** The header, seq_pad(m, ' ') (spaces up to the name column, at least one), the name, a newline. */
    private static void named(Text s, String header, String name) {
        s.put(header).put(" ".repeat(Math.max(1, NAME_COLUMN - header.length()))).put(name).put('\n');
    }

    /** show_vma_header_prefix(): "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ". */
    private static String header(long start, long end, long flags, long offset, int major, int minor, long ino) {
        StringBuilder b = new StringBuilder(80);
        hex(b, start, 8).append('-');
        hex(b, end, 8).append(' ');
        b.append((flags & VmFlags.VM_READ) != 0 ? 'r' : '-');
        b.append((flags & VmFlags.VM_WRITE) != 0 ? 'w' : '-');
        b.append((flags & VmFlags.VM_EXEC) != 0 ? 'x' : '-');
        b.append((flags & VmFlags.VM_MAYSHARE) != 0 ? 's' : 'p').append(' ');
        hex(b, offset, 8).append(' ');
        hex(b, major, 2).append(':');
        hex(b, minor, 2).append(' ');
        return b.append(ino).append(' ').toString();
    }

    /** An unsigned hexadecimal number, zero-padded to at least width digits. */
    private static StringBuilder hex(StringBuilder b, long v, int width) {
        String h = Long.toHexString(v);
        for (int i = h.length(); i < width; i++) b.append('0');
        return b.append(h);
    }

    /** seq_file_path() escapes the newline of a path as \012. */
    private static String escape(String name) {
        return name.replace("\n", "\\012");
    }

    private static void smapBlock(Text s, long size, MemSizeStats m, long flags) {
        kb(s, "Size:           ", size);
        kb(s, "KernelPageSize: ", ksim.kernel.Param.PAGE_SIZE);
        kb(s, "MMUPageSize:    ", ksim.kernel.Param.PAGE_SIZE);
        showSmap(s, m, false);
        s.put("THPeligible:    ").padded(0, 8).put('\n');
        s.put("ProtectionKey:  ").padded(0, 8).put('\n');
        s.put("VmFlags: ");
        for (int i = 0; i < FLAG_BITS.length; i++) if ((flags & FLAG_BITS[i]) != 0) s.put(FLAG_NAMES[i]).put(' ');
        s.put('\n');
    }

    /** __show_smap(): the statistics in kB; the rollup adds the split of Pss. */
    private static void showSmap(Text s, MemSizeStats m, boolean rollup) {
        int shift = MemSizeStats.PSS_SHIFT;
        kb(s, "Rss:            ", m.resident);
        kb(s, "Pss:            ", m.pss >> shift);
        kb(s, "Pss_Dirty:      ", m.pssDirty >> shift);
        if (rollup) {
            kb(s, "Pss_Anon:       ", m.pssAnon >> shift);
            kb(s, "Pss_File:       ", m.pssFile >> shift);
            kb(s, "Pss_Shmem:      ", m.pssShmem >> shift);
        }
        kb(s, "Shared_Clean:   ", m.sharedClean);
        kb(s, "Shared_Dirty:   ", m.sharedDirty);
        kb(s, "Private_Clean:  ", m.privateClean);
        kb(s, "Private_Dirty:  ", m.privateDirty);
        kb(s, "Referenced:     ", m.referenced);
        kb(s, "Anonymous:      ", m.anonymous);
        kb(s, "KSM:            ", 0);
        kb(s, "LazyFree:       ", 0);
        kb(s, "AnonHugePages:  ", 0);
        kb(s, "ShmemPmdMapped: ", 0);
        kb(s, "FilePmdMapped:  ", 0);
        s.put("Shared_Hugetlb: ").padded(0, 8).put(" kB\n");
        s.put("Private_Hugetlb: ").padded(0, 7).put(" kB\n");
        kb(s, "Swap:           ", m.swap);
        kb(s, "SwapPss:        ", m.swapPss >> shift);
        kb(s, "Locked:         ", m.pssLocked >> shift);
    }

    /** SEQ_PUT_DEC(): bytes as kB right-aligned in 8 columns. */
    private static void kb(Text s, String label, long bytes) {
        s.put(label).padded(bytes >> 10, 8).put(" kB\n");
    }
}
