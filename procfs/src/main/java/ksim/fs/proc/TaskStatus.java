package ksim.fs.proc;

import ksim.kernel.Cred;
import ksim.kernel.CpuMask;
import ksim.kernel.Kernel;
import ksim.kernel.Signum;
import ksim.kernel.Task;
import ksim.mm.MmStruct;
import ksim.mm.VmStat;

/**
 * /proc/<pid>/status: proc_pid_status() in fs/proc/array.c with task_mem() from
 * fs/proc/task_mmu.c. Every line is "Key:\tvalue" (procps stops at the first line without
 * the tab); memory in kB right-aligned in 8 columns.
 */
final class TaskStatus {
    /** Capabilities a root task holds on 6.18 (CAP_LAST_CAP = 40). */
    private static final String ALL_CAPS = "000001ffffffffff";
    private static final String NO_CAPS = "0000000000000000";
    private static final int MEMS_ALLOWED_WORDS = 32;

    private TaskStatus() {}

    static byte[] show(Kernel k, Task t) {
        Text s = new Text();
        Cred c = t.cred();
        Task leader = t.groupLeader();
        Task parent = leader.realParent();
        var sig = t.signal();
        s.put("Name:\t").put(escapeName(t.procName())).put('\n');
        s.kv("Umask", umask(t.umask()));
        s.kv("State", t.state().describe());
        s.kv("Tgid", t.tgid());
        s.kv("Ngid", 0);
        s.kv("Pid", t.pid());
        s.kv("PPid", parent == null ? 0 : parent.tgid());
        s.kv("TracerPid", t.tracer() == null ? 0 : t.tracer().tgid());
        s.kv("Uid", c.uid() + "\t" + c.euid() + "\t" + c.suid() + "\t" + c.fsuid());
        s.kv("Gid", c.gid() + "\t" + c.egid() + "\t" + c.sgid() + "\t" + c.fsgid());
        s.kv("FDSize", t.isKthread() ? 64 : 256);
        s.put("Groups:\t");
        for (int i = 0; i < c.groups().size(); i++) s.put(i == 0 ? "" : " ").put(c.groups().get(i));
        s.put(" \n");
        s.kv("NStgid", t.tgid());
        s.kv("NSpid", t.pid());
        s.kv("NSpgid", sig.pgrp());
        s.kv("NSsid", sig.session());
        s.kv("Kthread", t.isKthread() ? 1 : 0);
        MmStruct mm = t.mm();
        if (mm != null) taskMem(s, mm);
        s.kv("Threads", sig.nrThreads());
        // task_sig(): per-thread pending and mask, the process's shared pending and actions.
        s.kv("SigQ", k.sigQueued(t) + "/" + k.sigpendingLimit());
        s.kv("SigPnd", Signum.hex(t.pending().signal()));
        s.kv("ShdPnd", Signum.hex(sig.sharedPending().signal()));
        s.kv("SigBlk", Signum.hex(t.blocked()));
        s.kv("SigIgn", Signum.hex(t.sighand().ignored()));
        s.kv("SigCgt", Signum.hex(t.sighand().caught()));
        boolean root = c.euid() == 0;
        s.kv("CapInh", NO_CAPS);
        s.kv("CapPrm", root ? ALL_CAPS : NO_CAPS);
        s.kv("CapEff", root ? ALL_CAPS : NO_CAPS);
        s.kv("CapBnd", ALL_CAPS);
        s.kv("CapAmb", NO_CAPS);
        s.kv("NoNewPrivs", 0);
        s.kv("Seccomp", 0);
        s.kv("Seccomp_filters", 0);
        s.kv("Speculation_Store_Bypass", "thread vulnerable");
        s.kv("SpeculationIndirectBranch", "conditional enabled");
        int cpus = k.config().cpus();
        int bound = t.se().boundCpu();
        s.kv("Cpus_allowed", bound >= 0 ? CpuMask.single(bound, cpus) : CpuMask.mask(cpus));
        s.kv("Cpus_allowed_list", bound >= 0 ? Integer.toString(bound) : CpuMask.list(cpus));
        StringBuilder mems = new StringBuilder();
        for (int i = 0; i < MEMS_ALLOWED_WORDS; i++) mems.append(i == 0 ? "" : ",").append(i == MEMS_ALLOWED_WORDS - 1 ? "00000001" : "00000000");
        s.kv("Mems_allowed", mems.toString());
        s.kv("Mems_allowed_list", "0");
        s.kv("voluntary_ctxt_switches", t.nvcsw());
        s.kv("nonvoluntary_ctxt_switches", t.nivcsw());
        return s.bytes();
    }

    /** task_mem(): the Vm and Rss lines, in kB. */
    private static void taskMem(Text s, MmStruct mm) {
        // The text is what start_code..end_code spans, in whole pages, within exec_vm; the rest of exec_vm is libraries.
        long execBytes = mm.execVm() * ksim.kernel.Param.PAGE_SIZE;
        long textBytes = Math.min(execBytes, mm.textPages() * ksim.kernel.Param.PAGE_SIZE);
        long text = textBytes / 1024;
        long lib = (execBytes - textBytes) / 1024;
        kb(s, "VmPeak", VmStat.pagesToKb(mm.hiwaterVm()));
        kb(s, "VmSize", VmStat.pagesToKb(mm.totalVm()));
        kb(s, "VmLck", VmStat.pagesToKb(mm.lockedVm()));
        kb(s, "VmPin", VmStat.pagesToKb(mm.pinnedVm()));
        kb(s, "VmHWM", VmStat.pagesToKb(mm.hiwaterRss()));
        kb(s, "VmRSS", VmStat.pagesToKb(mm.rss()));
        kb(s, "RssAnon", VmStat.pagesToKb(mm.rssAnon()));
        kb(s, "RssFile", VmStat.pagesToKb(mm.rssFile()));
        kb(s, "RssShmem", VmStat.pagesToKb(mm.rssShmem()));
        kb(s, "VmData", VmStat.pagesToKb(mm.dataVm()));
        kb(s, "VmStk", VmStat.pagesToKb(mm.stackVm()));
        kb(s, "VmExe", text);
        kb(s, "VmLib", lib);
        kb(s, "VmPTE", mm.pgtablesBytes() / 1024);
        kb(s, "VmSwap", VmStat.pagesToKb(mm.swapEnts()));
        kb(s, "HugetlbPages", 0);
        s.kv("CoreDumping", 0);
        s.kv("THP_enabled", 1);
        s.kv("untag_mask", "0xffffffffffffffff");
    }

    private static void kb(Text s, String key, long kb) {
        s.put(key).put(":\t").padded(kb, 8).put(" kB\n");
    }

    /** Name in status: '\n' becomes "\n" and '\\' becomes "\\"; other bytes stay raw. */
    static byte[] escapeName(byte[] comm) {
        Text s = new Text();
        for (byte b : comm) {
            if (b == '\n') s.put("\\n");
            else if (b == '\\') s.put("\\\\");
            else s.put(new byte[] {b});
        }
        return s.bytes();
    }

    /** The mask as four octal digits ("%04o" without a Formatter on every read). */
    static String umask(int mask) {
        char[] c = new char[4];
        for (int i = 3; i >= 0; i--) {
            c[i] = (char) ('0' + (mask & 7));
            mask >>>= 3;
        }
        return new String(c);
    }
}
