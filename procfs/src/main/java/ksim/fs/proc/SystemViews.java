package ksim.fs.proc;

import java.util.List;
import ksim.fs.FileSystems;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelCpustat;
import ksim.kernel.Param;
import ksim.kernel.Scheduler;
import ksim.mm.VmStat;
import ksim.mm.VmStat.Item;

/** The system-wide files at the top of /proc. Each is a show function called under the kernel lock. */
final class SystemViews {
    private static final int NR_IRQS_SHOWN = 64;

    private SystemViews() {}

    /** show_stat() in fs/proc/stat.c. */
    static byte[] stat(Kernel k) {
        Scheduler sched = k.scheduler();
        int n = sched.nrCpus();
        long[] sum = new long[KernelCpustat.NR_STATS];
        long[] softirqs = new long[KernelCpustat.NR_SOFTIRQS];
        long irqs = 0;
        for (int cpu = 0; cpu < n; cpu++) {
            KernelCpustat st = sched.cpustat(cpu);
            for (int i = 0; i < sum.length; i++) sum[i] += st.get(i);
            for (int i = 0; i < softirqs.length; i++) softirqs[i] += st.softirq(i);
            irqs += st.timerIrqs();
        }
        Text s = new Text();
        cpuLine(s, "cpu ", sum);
        for (int cpu = 0; cpu < n; cpu++) {
            long[] v = new long[KernelCpustat.NR_STATS];
            for (int i = 0; i < v.length; i++) v[i] = sched.cpustat(cpu).get(i);
            cpuLine(s, "cpu" + cpu, v);
        }
        // Timer interrupts are per-CPU local APIC interrupts: in the total, not in a numbered line.
        s.put("intr ").put(irqs);
        for (int i = 0; i < NR_IRQS_SHOWN; i++) s.put(" 0");
        s.put('\n');
        s.put("ctxt ").put(sched.nrContextSwitches()).put('\n');
        s.put("btime ").put(k.clock().bootEpochSeconds()).put('\n');
        s.put("processes ").put(k.totalForks()).put('\n');
        s.put("procs_running ").put(sched.nrRunning()).put('\n');
        s.put("procs_blocked ").put(sched.nrUninterruptible()).put('\n');
        long total = 0;
        for (long v : softirqs) total += v;
        s.put("softirq ").put(total);
        for (long v : softirqs) s.sp(v);
        s.put('\n');
        return s.bytes();
    }

    /** One cpu line: user nice system idle iowait irq softirq steal guest guest_nice, in USER_HZ. */
    private static void cpuLine(Text s, String label, long[] v) {
        s.put(label);
        int[] order = {KernelCpustat.USER, KernelCpustat.NICE, KernelCpustat.SYSTEM, KernelCpustat.IDLE,
                KernelCpustat.IOWAIT, KernelCpustat.IRQ, KernelCpustat.SOFTIRQ, KernelCpustat.STEAL,
                KernelCpustat.GUEST, KernelCpustat.GUEST_NICE};
        for (int i : order) s.sp(Clock.nsecToClockT(v[i]));
        s.put('\n');
    }

    /** uptime_proc_show(): seconds since boot and idle seconds summed over CPUs. */
    static byte[] uptime(Kernel k) {
        long up = k.clock().boottimeNs();
        long idle = 0;
        for (int cpu = 0; cpu < k.scheduler().nrCpus(); cpu++) idle += k.scheduler().cpustat(cpu).get(KernelCpustat.IDLE);
        return new Text().put(seconds(up)).put(' ').put(seconds(idle)).put('\n').bytes();
    }

    private static String seconds(long ns) {
        long cs = ns / (Param.NSEC_PER_SEC / 100);
        return String.format("%d.%02d", cs / 100, cs % 100);
    }

    /** loadavg_proc_show(). */
    static byte[] loadavg(Kernel k) {
        var la = k.scheduler().loadAvg();
        Text s = new Text();
        for (int i = 0; i < 3; i++) {
            long a = la.avenrun(i, Param.FIXED_1 / 200);
            long whole = a >> Param.FSHIFT;
            long frac = ((a & (Param.FIXED_1 - 1)) * 100) >> Param.FSHIFT;
            s.put(i == 0 ? "" : " ").printf("%d.%02d", whole, frac);
        }
        s.sp(k.scheduler().nrRunning() + "/" + k.pids().nrThreads());
        s.sp(k.pids().lastPid()).put('\n');
        return s.bytes();
    }

    /** meminfo_proc_show() in fs/proc/meminfo.c. */
    static byte[] meminfo(Kernel k) {
        VmStat vm = k.vmstat();
        long total = vm.totalRamPages();
        long file = vm.get(Item.NR_FILE_PAGES);
        long buffers = vm.get(Item.NR_BUFFERS);
        long shmem = vm.get(Item.NR_SHMEM);
        long anon = vm.get(Item.NR_ANON_MAPPED);
        long sRecl = vm.get(Item.NR_SLAB_RECLAIMABLE);
        long sUnrecl = vm.get(Item.NR_SLAB_UNRECLAIMABLE);
        long cached = Math.max(0, file - buffers);
        long activeAnon = vm.get(Item.NR_ACTIVE_ANON);
        long inactiveAnon = vm.get(Item.NR_INACTIVE_ANON);
        long activeFile = vm.get(Item.NR_ACTIVE_FILE);
        long inactiveFile = vm.get(Item.NR_INACTIVE_FILE);
        long memKb = k.config().memoryKb();
        long gib = 1024L * 1024;
        long direct1G = Math.max(0, memKb / gib - 1) * gib;
        long direct4k = 20480;
        long direct2M = Math.max(0, memKb - direct1G - direct4k);
        Text s = new Text();
        kb(s, "MemTotal", pages(total));
        kb(s, "MemFree", pages(vm.freePages()));
        kb(s, "MemAvailable", pages(vm.availablePages()));
        kb(s, "Buffers", pages(buffers));
        kb(s, "Cached", pages(cached));
        kb(s, "SwapCached", 0);
        kb(s, "Active", pages(activeAnon + activeFile));
        kb(s, "Inactive", pages(inactiveAnon + inactiveFile));
        kb(s, "Active(anon)", pages(activeAnon));
        kb(s, "Inactive(anon)", pages(inactiveAnon));
        kb(s, "Active(file)", pages(activeFile));
        kb(s, "Inactive(file)", pages(inactiveFile));
        kb(s, "Unevictable", pages(vm.get(Item.NR_UNEVICTABLE)));
        kb(s, "Mlocked", pages(vm.get(Item.NR_MLOCK)));
        kb(s, "SwapTotal", 0);
        kb(s, "SwapFree", 0);
        kb(s, "Zswap", 0);
        kb(s, "Zswapped", 0);
        kb(s, "Dirty", pages(vm.get(Item.NR_DIRTY)));
        kb(s, "Writeback", pages(vm.get(Item.NR_WRITEBACK)));
        kb(s, "AnonPages", pages(anon));
        kb(s, "Mapped", pages(vm.mappedPages()));
        kb(s, "Shmem", pages(shmem));
        kb(s, "KReclaimable", pages(sRecl));
        kb(s, "Slab", pages(sRecl + sUnrecl));
        kb(s, "SReclaimable", pages(sRecl));
        kb(s, "SUnreclaim", pages(sUnrecl));
        kb(s, "KernelStack", vm.get(Item.NR_KERNEL_STACK_KB));
        kb(s, "PageTables", pages(vm.get(Item.NR_PAGETABLE)));
        kb(s, "SecPageTables", 0);
        kb(s, "NFS_Unstable", 0);
        kb(s, "Bounce", 0);
        kb(s, "WritebackTmp", 0);
        kb(s, "CommitLimit", pages(total / 2));
        kb(s, "Committed_AS", pages(vm.committedAs()));
        kb(s, "VmallocTotal", 34359738367L);
        kb(s, "VmallocUsed", pages(vm.vmallocPages()));
        kb(s, "VmallocChunk", 0);
        kb(s, "Percpu", vm.percpuKb());
        kb(s, "AnonHugePages", 0);
        kb(s, "ShmemHugePages", 0);
        kb(s, "ShmemPmdMapped", 0);
        kb(s, "FileHugePages", 0);
        kb(s, "FilePmdMapped", 0);
        kb(s, "Balloon", 0);
        s.put("HugePages_Total:   ").padded(0, 5).put('\n');
        s.put("HugePages_Free:    ").padded(0, 5).put('\n');
        s.put("HugePages_Rsvd:    ").padded(0, 5).put('\n');
        s.put("HugePages_Surp:    ").padded(0, 5).put('\n');
        kb(s, "Hugepagesize", 2048);
        kb(s, "Hugetlb", 0);
        kb(s, "DirectMap4k", direct4k);
        kb(s, "DirectMap2M", direct2M);
        kb(s, "DirectMap1G", direct1G);
        return s.bytes();
    }

    private static long pages(long p) {
        return VmStat.pagesToKb(p);
    }

    /** show_val_kb(): the label padded to 16 columns, the value to 8, then " kB". */
    private static void kb(Text s, String label, long kb) {
        String l = label + ":";
        s.put(l);
        for (int i = l.length(); i < 16; i++) s.put(' ');
        s.padded(kb, 8).put(" kB\n");
    }

    /** version_proc_show(): linux_proc_banner. */
    static byte[] version(Kernel k) {
        var u = k.utsname();
        return new Text().put("Linux version ").put(u.release())
                .put(" (ksim@ksim) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) ")
                .put(u.version()).put('\n').bytes();
    }

    /** show_cpuinfo() in arch/x86/kernel/cpu/proc.c: one block per CPU, a blank line after each. */
    static byte[] cpuinfo(Kernel k) {
        int n = k.config().cpus();
        Text s = new Text();
        for (int cpu = 0; cpu < n; cpu++) {
            s.put("processor\t: ").put(cpu).put('\n');
            s.put("vendor_id\t: GenuineIntel\n");
            s.put("cpu family\t: 6\n");
            s.put("model\t\t: 85\n");
            s.put("model name\t: ksim virtual CPU @ 2.40GHz\n");
            s.put("stepping\t: 7\n");
            s.put("microcode\t: 0x1\n");
            s.put("cpu MHz\t\t: 2400.000\n");
            s.put("cache size\t: 16384 KB\n");
            s.put("physical id\t: 0\n");
            s.put("siblings\t: ").put(n).put('\n');
            s.put("core id\t\t: ").put(cpu).put('\n');
            s.put("cpu cores\t: ").put(n).put('\n');
            s.put("apicid\t\t: ").put(cpu).put('\n');
            s.put("initial apicid\t: ").put(cpu).put('\n');
            s.put("fpu\t\t: yes\n");
            s.put("fpu_exception\t: yes\n");
            s.put("cpuid level\t: 13\n");
            s.put("wp\t\t: yes\n");
            s.put("flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch fsgsbase bmi1 avx2 smep bmi2 erms invpcid avx512f avx512dq rdseed adx smap clflushopt clwb avx512cd avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves arat pku ospke\n");
            s.put("bugs\t\t: spectre_v1 spectre_v2 spec_store_bypass swapgs\n");
            s.put("bogomips\t: 4800.00\n");
            s.put("clflush size\t: 64\n");
            s.put("cache_alignment\t: 64\n");
            s.put("address sizes\t: 46 bits physical, 48 bits virtual\n");
            s.put("power management:\n\n");
        }
        return s.bytes();
    }

    /** filesystems_proc_show(): "nodev" before types that need no block device. */
    static byte[] filesystems(Kernel k) {
        Text s = new Text();
        for (FileSystems.Type t : k.filesystems().list()) {
            s.put(t.requiresDevice() ? "" : "nodev").put('\t').put(t.name()).put('\n');
        }
        return s.bytes();
    }

    /** The kernel command line (/proc/cmdline). */
    static byte[] cmdline(Kernel k) {
        return new Text().put("BOOT_IMAGE=/boot/vmlinuz-").put(k.utsname().release())
                .put(" root=/dev/vda1 ro quiet\n").bytes();
    }

    /** One registered tty driver: name, /dev name, major, minor range, type (show_tty_range). */
    private record TtyDriver(String driver, String dev, int major, int minorStart, int count, String type) {}

    private static final List<TtyDriver> TTY_DRIVERS = List.of(
            new TtyDriver("serial", "ttyS", 4, 64, 32, "serial"),
            new TtyDriver("pty_slave", "pts", 136, 0, 1048576, "pty:slave"),
            new TtyDriver("pty_master", "ptm", 128, 0, 1048576, "pty:master"),
            new TtyDriver("unknown", "tty", 4, 1, 63, "console"));

    /** show_tty_driver() in fs/proc/proc_tty.c: the fixed /dev/tty lines, then each driver. */
    static byte[] ttyDrivers(Kernel k) {
        Text s = new Text();
        s.put("/dev/tty             /dev/tty        5       0 system:/dev/tty\n");
        s.put("/dev/console         /dev/console    5       1 system:console\n");
        s.put("/dev/ptmx            /dev/ptmx       5       2 system\n");
        s.put("/dev/vc/0            /dev/vc/0       4       0 system:vtmaster\n");
        for (TtyDriver d : TTY_DRIVERS) {
            s.printf("%-20s /dev/%-8s ", d.driver(), d.dev());
            if (d.count() > 1) s.printf("%3d %d-%d ", d.major(), d.minorStart(), d.minorStart() + d.count() - 1);
            else s.printf("%3d %7d ", d.major(), d.minorStart());
            s.put(d.type()).put('\n');
        }
        return s.bytes();
    }
}
