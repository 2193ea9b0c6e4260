package ksim.mm;

import java.util.Collection;
import java.util.List;
import java.util.function.LongSupplier;
import ksim.kernel.Param;

/**
 * struct mm_struct (include/linux/mm_types.h): an address space. Its VMAs, ordered by
 * address (the maple tree), are the only state: every size counter (total_vm, data_vm,
 * exec_vm, stack_vm, locked_vm, the rss counters, the page-table bytes) is derived from them,
 * so /proc's maps, smaps, status, statm and stat cannot disagree. The high-water marks keep
 * the largest values seen. Changed only through ElfLoader, Mmap and Fault, under the kernel lock.
 */
public final class MmStruct {
    /** The VMAs by start address (mm->mm_mt). */
    final VmaTree mmap = new VmaTree();
    /** mm->mmap_base: where top-down placement starts. */
    long mmapBase;
    long hiwaterVm;
    long hiwaterRss;
    /**
     * The sums of the VMAs' sizes by class and of their present pages by kind, kept as the
     * VMAs change (insert, removeRange, changePages) like mm_struct's counters; recount()
     * derives them afresh from the VMAs and verifyCounters() checks the two agree.
     */
    private final Counters counters = new Counters();
    /** pgtablesBytes() and residentShareKeys() as last computed; dropped whenever a VMA or page changes. */
    private long pgtablesCache = -1;
    private long[] shareKeysCache;

    /** total_vm, data_vm, exec_vm, stack_vm, locked_vm, the rss_stat by page kind, and present locked pages. */
    static final class Counters {
        long totalVm, dataVm, execVm, stackVm, lockedVm, lockedRss;
        final long[] pages = new long[PageKind.values().length];

        void add(Vma v, int sign) {
            long n = sign * v.pages();
            totalVm += n;
            if (VmFlags.isData(v.flags)) dataVm += n;
            if (VmFlags.isExec(v.flags)) execVm += n;
            if (VmFlags.isStack(v.flags)) stackVm += n;
            if (v.has(VmFlags.VM_LOCKED)) lockedVm += n;
            addPages(v, sign);
        }

        void addPages(Vma v, int sign) {
            v.pages.addCounts(pages, sign);
            if (v.has(VmFlags.VM_LOCKED)) lockedRss += sign * v.pages.resident();
        }

        void copyFrom(Counters o) {
            totalVm = o.totalVm; dataVm = o.dataVm; execVm = o.execVm; stackVm = o.stackVm;
            lockedVm = o.lockedVm; lockedRss = o.lockedRss;
            System.arraycopy(o.pages, 0, pages, 0, pages.length);
        }

        boolean sameAs(Counters o) {
            return totalVm == o.totalVm && dataVm == o.dataVm && execVm == o.execVm && stackVm == o.stackVm
                    && lockedVm == o.lockedVm && lockedRss == o.lockedRss && java.util.Arrays.equals(pages, o.pages);
        }

        @Override
        public String toString() {
            return "total " + totalVm + " data " + dataVm + " exec " + execVm + " stack " + stackVm + " locked " + lockedVm
                    + "/" + lockedRss + " pages " + java.util.Arrays.toString(pages);
        }
    }

    long startCode, endCode, startData, endData, startBrk, brk, startStack;
    long argStart, argEnd, envStart, envEnd;

    /** The argument and environment strings, NUL-terminated, as they sit on the stack. */
    byte[] argv = new byte[0];
    byte[] envp = new byte[0];
    /** mm->exe_file, as a path. */
    String exeFile;

    MmStruct() {}

    /** Lays the address space out from a program image with the program's own randomisation. */
    public static MmStruct load(Program p, byte[] argv, byte[] envp) {
        long[] ino = {0};
        return load(p, argv, envp, p.seedOffset(), () -> ++ino[0]);
    }

    /**
     * What execve's loader does: the image of p laid out at addresses randomised from seed;
     * shmem inode numbers for shared anonymous memory come from nextIno.
     */
    public static MmStruct load(Program p, byte[] argv, byte[] envp, long seed, LongSupplier nextIno) {
        return ElfLoader.load(p, argv, envp, seed, nextIno);
    }

    /** dup_mm(): the child's copy of the VMAs and their page table entries after fork. */
    public MmStruct duplicate() {
        MmStruct c = new MmStruct();
        for (Vma v : mmap.values()) c.mmap.put(v.copy());
        c.mmap.trim();
        c.counters.copyFrom(counters);
        c.mmapBase = mmapBase;
        c.hiwaterVm = hiwaterVm;
        c.hiwaterRss = hiwaterRss;
        c.startCode = startCode; c.endCode = endCode; c.startData = startData; c.endData = endData;
        c.startBrk = startBrk; c.brk = brk; c.startStack = startStack;
        c.argStart = argStart; c.argEnd = argEnd; c.envStart = envStart; c.envEnd = envEnd;
        c.argv = argv; c.envp = envp; c.exeFile = exeFile;
        return c;
    }

    /** Rewrites the argument area in place, as setproctitle() does (same start, new end). */
    public void setArgs(byte[] args) {
        this.argv = args.clone();
        this.argEnd = argStart + args.length;
    }

    // ---- the VMA list -------------------------------------------------------------------

    /** Every VMA in address order (the gate page is not among them). */
    public Collection<Vma> vmas() {
        return mmap.values();
    }

    /** mm->map_count. */
    public int mapCount() {
        return mmap.size();
    }

    /** find_vma(): the first VMA that ends above addr, or null. */
    public Vma findVma(long addr) {
        Vma e = mmap.floor(addr);
        if (e != null && e.end > addr) return e;
        return mmap.higher(addr);
    }

    /** The VMA that contains addr, or null. */
    public Vma vmaAt(long addr) {
        Vma v = findVma(addr);
        return v != null && v.start <= addr ? v : null;
    }

    /** The VMAs that overlap [start, end), in order. */
    List<Vma> overlapping(long start, long end) {
        Vma first = mmap.floor(start);
        long from = first != null && first.end > start ? first.start : start;
        return mmap.range(from, end);
    }

    /** Adds a VMA that overlaps none, merging it with compatible neighbours (vma_merge). */
    void insert(Vma v) {
        Vma pe = mmap.lower(v.start);
        if (pe != null && pe.end > v.start) throw new IllegalStateException("overlapping " + v + " and " + pe);
        Vma ne = mmap.ceiling(v.start);
        if (ne != null && ne.start < v.end) throw new IllegalStateException("overlapping " + v + " and " + ne);
        counters.add(v, +1);
        changed();
        Vma cur = v;
        if (pe != null && pe.canMerge(v)) {
            pe.absorb(v);
            cur = pe;
        } else {
            mmap.put(v);
        }
        if (ne != null && cur.canMerge(ne)) {
            mmap.remove(ne.start);
            cur.absorb(ne);
        }
    }

    /** How many VMAs unmapping [start, end) adds: one if it falls strictly inside a single VMA. */
    int splitsToUnmap(long start, long end) {
        Vma v = vmaAt(start);
        return v != null && v.start < start && v.end > end ? 1 : 0;
    }

    /** do_vmi_munmap(): removes [start, end) from every VMA, splitting those that straddle it. */
    void removeRange(long start, long end) {
        changed();
        for (Vma v : overlapping(start, end)) {
            Vma mid = v;
            if (v.start < start) mid = v.splitAt(start);
            else mmap.remove(v.start);
            if (mid.end > end) {
                Vma upper = mid.splitAt(end);
                mmap.put(upper);
            }
            counters.add(mid, -1);
        }
    }

    /**
     * Changes the page table entries of [fromVpn, toVpn) in v (a VMA of this mm): each page
     * gets the kind f gives its current one. Returns how many pages changed.
     */
    long changePages(Vma v, long fromVpn, long toVpn, java.util.function.UnaryOperator<PageKind> f) {
        changed();
        counters.addPages(v, -1);
        try {
            return v.pages.apply(fromVpn, toVpn, f);
        } finally {
            counters.addPages(v, +1);
        }
    }

    private void changed() {
        pgtablesCache = -1;
        shareKeysCache = null;
    }

    /** The counters derived afresh from the VMAs. */
    Counters recount() {
        Counters c = new Counters();
        for (Vma v : mmap.values()) c.add(v, +1);
        return c;
    }

    /** Checks that the kept counters are what the VMAs add up to (for tests and debugging). */
    public void verifyCounters() {
        Counters fresh = recount();
        if (!fresh.sameAs(counters)) throw new IllegalStateException("counters " + counters + " but the VMAs hold " + fresh);
    }

    /** Records the high-water marks (update_hiwater_vm/update_hiwater_rss) after a change. */
    public void updateHiwater() {
        hiwaterVm = Math.max(hiwaterVm, totalVm());
        hiwaterRss = Math.max(hiwaterRss, rss());
    }

    // ---- counters, all derived from the VMAs ---------------------------------------------

    /** total_vm, in pages. */
    public long totalVm() { return counters.totalVm; }
    public long lockedVm() { return counters.lockedVm; }
    /** Present pages of mlocked mappings (what NR_MLOCK counts of this mm). */
    public long lockedRss() { return counters.lockedRss; }
    /** pinned_vm: pages pinned by drivers (RDMA, io_uring); none here. */
    public long pinnedVm() { return 0; }
    public long dataVm() { return counters.dataVm; }
    public long execVm() { return counters.execVm; }
    public long stackVm() { return counters.stackVm; }
    public long hiwaterVm() { return Math.max(hiwaterVm, totalVm()); }
    public long hiwaterRss() { return Math.max(hiwaterRss, rss()); }
    /** MM_FILEPAGES. */
    public long rssFile() { return counters.pages[PageKind.FILE.ordinal()] + counters.pages[PageKind.FILE_DIRTY.ordinal()]; }
    /** MM_ANONPAGES. */
    public long rssAnon() { return counters.pages[PageKind.ANON.ordinal()]; }
    /** MM_SHMEMPAGES. */
    public long rssShmem() { return counters.pages[PageKind.SHMEM.ordinal()]; }
    /** MM_SWAPENTS. */
    public long swapEnts() { return counters.pages[PageKind.SWAP.ordinal()]; }
    /** get_mm_rss(): resident pages. */
    public long rss() { return rssFile() + rssAnon() + rssShmem(); }

    /**
     * mm_pgtables_bytes(): page-table pages are allocated when a page is first faulted in
     * their range: one PTE table per 2 MiB, one PMD table per 1 GiB, one PUD table per 512 GiB
     * that holds a present page or swap entry (the PGD is not counted).
     */
    public long pgtablesBytes() {
        if (pgtablesCache < 0) pgtablesCache = countPgtables();
        return pgtablesCache;
    }

    private long countPgtables() {
        long ptes = 0, pmds = 0, puds = 0;
        long lastPte = -1, lastPmd = -1, lastPud = -1;
        for (Vma v : mmap.values()) {
            ResidentPages rp = v.pages;
            for (int i = 0; i < rp.runCount(); i++) {
                long first = rp.runStart(i), last = rp.runEnd(i) - 1;
                ptes += count(first >>> 9, last >>> 9, lastPte);
                lastPte = last >>> 9;
                pmds += count(first >>> 18, last >>> 18, lastPmd);
                lastPmd = last >>> 18;
                puds += count(first >>> 27, last >>> 27, lastPud);
                lastPud = last >>> 27;
            }
        }
        return (ptes + pmds + puds) * Param.PAGE_SIZE;
    }

    /** Tables in [lo, hi] not already counted (lastCounted is the highest counted so far). */
    private static long count(long lo, long hi, long lastCounted) {
        long from = Math.max(lo, lastCounted + 1);
        return hi >= from ? hi - from + 1 : 0;
    }

    /**
     * The distinct files (and special mappings) of which this mm has pages present: what Rmap
     * counts. Sorted; kept until the mm changes (an array: every process holds one).
     */
    public long[] residentShareKeys() {
        if (shareKeysCache == null) {
            long[] keys = new long[mmap.size()];
            int n = 0;
            for (Vma v : mmap.values()) {
                if (v.shareKey() != 0 && v.filePages() + v.shmemPages() > 0) keys[n++] = v.shareKey();
            }
            java.util.Arrays.sort(keys, 0, n);
            int d = 0;
            for (int i = 0; i < n; i++) if (d == 0 || keys[d - 1] != keys[i]) keys[d++] = keys[i];
            shareKeysCache = java.util.Arrays.copyOf(keys, d);
        }
        return shareKeysCache;
    }

    public long mmapBase() { return mmapBase; }
    public long startCode() { return startCode; }
    public long endCode() { return endCode; }
    public long startData() { return startData; }
    public long endData() { return endData; }
    public long startBrk() { return startBrk; }
    public long brk() { return brk; }
    public long startStack() { return startStack; }
    public long argStart() { return argStart; }
    public long argEnd() { return argEnd; }
    public long envStart() { return envStart; }
    public long envEnd() { return envEnd; }
    public byte[] argv() { return argv.clone(); }
    public byte[] envp() { return envp.clone(); }
    public String exeFile() { return exeFile; }

    /** Text pages as task_statm() counts them. */
    public long textPages() {
        return ((endCode + Param.PAGE_SIZE - 1) / Param.PAGE_SIZE) - (startCode / Param.PAGE_SIZE);
    }

    /** vma_is_initial_heap(): the VMA spans part of [start_brk, brk]. */
    public boolean isHeap(Vma v) {
        return v.start <= brk && v.end >= startBrk;
    }

    /** vma_is_initial_stack(): the VMA holds start_stack. */
    public boolean isStack(Vma v) {
        return v.start <= startStack && v.end >= startStack;
    }
}
