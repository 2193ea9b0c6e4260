package ksim.mm;

import ksim.kernel.Param;

/**
 * struct mm_struct (include/linux/mm_types.h), reduced to its size counters and the
 * addresses /proc prints. The VMA list arrives with the address-space work; until then the
 * counters are set from a Program's image when the task execs.
 */
public final class MmStruct {
    /** Counters in pages, as in mm_struct. */
    long totalVm;
    long lockedVm;
    long pinnedVm;
    long dataVm;
    long execVm;
    long stackVm;
    long hiwaterVm;
    long hiwaterRss;
    /** rss_stat[MM_FILEPAGES], [MM_ANONPAGES], [MM_SHMEMPAGES], [MM_SWAPENTS]. */
    long rssFile;
    long rssAnon;
    long rssShmem;
    long swapEnts;
    long pgtablesBytes;

    long startCode, endCode, startData, endData, startBrk, brk, startStack;
    long argStart, argEnd, envStart, envEnd;

    /** The argument and environment strings, NUL-terminated, as they sit on the stack. */
    byte[] argv = new byte[0];
    byte[] envp = new byte[0];
    /** mm->exe_file, as a path. */
    String exeFile;

    /** Lays the address space out from a program image (what execve's loader does). */
    public static MmStruct load(Program p, byte[] argv, byte[] envp) {
        MmStruct mm = new MmStruct();
        // Pages are 4 KiB, so KiB / 4 = pages.
        mm.execVm = p.textKb() / 4 + p.libKb() / 4;
        mm.dataVm = p.dataKb() / 4 + p.heapKb() / 4;
        mm.stackVm = p.stackKb() / 4;
        mm.totalVm = mm.execVm + mm.dataVm + mm.stackVm + p.otherKb() / 4;
        mm.hiwaterVm = mm.totalVm;
        mm.rssAnon = p.rssAnonKb() / 4;
        mm.rssFile = p.rssFileKb() / 4;
        mm.rssShmem = p.rssShmemKb() / 4;
        mm.hiwaterRss = mm.rss();
        // One page-table page per 2 MiB of mapped space, plus the upper levels.
        mm.pgtablesBytes = (mm.totalVm / 512 + 4) * Param.PAGE_SIZE;
        // A PIE binary at the usual randomised base, the stack below 0x7ffe...
        mm.startCode = 0x55d0_4a2f_1000L + (p.seedOffset() << 12);
        mm.endCode = mm.startCode + (long) p.textKb() * 1024;
        mm.startData = mm.endCode + 0x1000;
        mm.endData = mm.startData + (long) p.dataKb() * 1024;
        mm.startBrk = mm.endData + 0x2000;
        mm.brk = mm.startBrk + (long) p.heapKb() * 1024;
        mm.startStack = 0x7ffc_8a10_0000L - (p.seedOffset() << 16);
        mm.argv = argv;
        mm.envp = envp;
        mm.argStart = mm.startStack + 0x2000;
        mm.argEnd = mm.argStart + argv.length;
        mm.envStart = mm.argEnd;
        mm.envEnd = mm.envStart + envp.length;
        mm.exeFile = p.path();
        return mm;
    }

    /** dup_mm(): a child's copy of the counters and layout after fork. */
    public MmStruct duplicate() {
        MmStruct c = new MmStruct();
        c.totalVm = totalVm; c.lockedVm = lockedVm; c.pinnedVm = pinnedVm; c.dataVm = dataVm;
        c.execVm = execVm; c.stackVm = stackVm; c.hiwaterVm = hiwaterVm; c.hiwaterRss = hiwaterRss;
        c.rssFile = rssFile; c.rssAnon = rssAnon; c.rssShmem = rssShmem; c.swapEnts = swapEnts;
        c.pgtablesBytes = pgtablesBytes;
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

    public long totalVm() { return totalVm; }
    public long lockedVm() { return lockedVm; }
    public long pinnedVm() { return pinnedVm; }
    public long dataVm() { return dataVm; }
    public long execVm() { return execVm; }
    public long stackVm() { return stackVm; }
    public long hiwaterVm() { return Math.max(hiwaterVm, totalVm); }
    public long hiwaterRss() { return Math.max(hiwaterRss, rss()); }
    public long rssFile() { return rssFile; }
    public long rssAnon() { return rssAnon; }
    public long rssShmem() { return rssShmem; }
    public long swapEnts() { return swapEnts; }
    public long pgtablesBytes() { return pgtablesBytes; }
    /** get_mm_rss(): resident pages. */
    public long rss() { return rssFile + rssAnon + rssShmem; }
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
}
