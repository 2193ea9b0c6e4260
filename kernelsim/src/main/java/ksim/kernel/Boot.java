package ksim.kernel;

import java.util.List;
import ksim.mm.PageUse;
import ksim.mm.Program;
import ksim.mm.VmStat;

/**
 * What happens between start_kernel() and a login prompt (init/main.c rest_init, then the
 * init system): the boot-time page cache and slab, init and kthreadd, the kernel threads a
 * 6.x kernel starts (per CPU and global), and optionally a demo userland.
 */
final class Boot {
    /** Simulated seconds from power-on to the end of boot. */
    static final int BOOT_SECONDS = 3;
    /** vmalloc'ed memory of a booted kernel: module text and data, BPF, large hash tables. */
    static final int VMALLOC_PAGES = 1024;

    private Boot() {}

    static void run(Kernel k) {
        VmStat vm = k.vmstat;
        long mb = 256; // pages per MiB
        // The slab, vmalloc'ed memory and page cache a freshly booted server holds, scaled to its
        // memory, each taken from the page allocator: kernel objects of boot (dentries and inodes
        // are reclaimable), modules and tables, the files userspace reads, the block devices' buffers.
        long memMb = k.config.memoryKb() / 1024;
        // The slab of a booted server: dentries, inodes, kernfs nodes, buffer heads and the rest.
        k.kobjs.populate(k.config);
        vm.folios().allocPages(PageUse.VMALLOC, VMALLOC_PAGES, 0);
        vm.pageCache().readAtBoot(Math.min(memMb / 16, 220) * mb, Math.min(memMb / 256, 16) * mb);

        Task init = k.rootTask("swapper/0", 0);
        Task kthreadd = k.rootTask("kthreadd", Task.PF_KTHREAD | Task.PF_NOFREEZE);
        k.setInitTasks(init, kthreadd);
        k.sched.setState(kthreadd, TaskState.INTERRUPTIBLE, "kthreadd");
        kernelThreads(k);
        KthreadRhythm.install(k);
        k.tick(Param.HZ / 4);

        // kernel_init execs /sbin/init: pid 1 becomes the init system.
        k.exec.exec(init, Program.small("/usr/lib/systemd/systemd", 9_200, 12_800, 1),
                List.of("/sbin/init"), List.of("HOME=/", "TERM=linux"));
        init.setComm("systemd");
        // systemd's handlers: it reaps on SIGCHLD, reloads on SIGHUP, and so on; SIGPIPE is ignored.
        for (int sig : new int[] {Signum.SIGHUP, Signum.SIGINT, Signum.SIGUSR1, Signum.SIGUSR2, Signum.SIGTERM,
                Signum.SIGCHLD, Signum.SIGPWR, Signum.SIGRTMIN + 2}) init.sighand.set(sig, SighandStruct.Action.CATCH);
        init.sighand.set(Signum.SIGPIPE, SighandStruct.Action.IGNORE);
        init.signal.session = 1;
        init.signal.pgrp = 1;
        init.signal.leader = true;
        k.sched.setState(init, TaskState.INTERRUPTIBLE, "do_epoll_wait");
        k.tick(Param.HZ / 2);

        if (k.config.demo()) DemoUserland.start(k);
        long end = (long) BOOT_SECONDS * Param.HZ;
        if (k.clock.jiffies() < end) k.tick(end - k.clock.jiffies());
    }

    /** The kernel threads of a 2-CPU 6.18 machine, in the order they appear there. */
    private static void kernelThreads(Kernel k) {
        final int wq = Task.PF_WQ_WORKER | 0x04000000; // PF_NO_SETAFFINITY
        TaskState idle = TaskState.IDLE;
        TaskState sleep = TaskState.INTERRUPTIBLE;
        k.kernelThread("pool_workqueue_release", 0, 0, sleep, "kthread_worker_fn");
        for (String rescuer : List.of("rcu_gp", "sync_wq", "kvfree_rcu_reclaim", "slub_flushwq", "netns")) {
            k.kernelThread("kworker/R-" + rescuer, wq, -20, idle, "rescuer_thread");
        }
        k.kernelThread("kworker/0:0-events", wq, 0, idle, "worker_thread");
        k.kernelThread("kworker/0:0H-events_highpri", wq, -20, idle, "worker_thread");
        k.kernelThread("kworker/u" + 4 * k.config.cpus() + ":0-events_unbound", wq, 0, idle, "worker_thread");
        k.kernelThread("kworker/R-mm_percpu_wq", wq, -20, idle, "rescuer_thread");
        k.kernelThread("ksoftirqd/0", 0, 0, sleep, "smpboot_thread_fn");
        k.kernelThread("rcu_preempt", 0, 0, idle, "rcu_gp_fqs_loop");
        k.kernelThread("rcu_exp_gp_kthread_worker", 0, 0, sleep, "kthread_worker_fn");
        for (int cpu = 0; cpu < k.config.cpus(); cpu++) {
            Task migration = k.kernelThread("migration/" + cpu, 0x04000000, 0, sleep, "smpboot_thread_fn");
            k.setRealtime(migration, Task.SCHED_FIFO, 99);
            k.kernelThread("cpuhp/" + cpu, 0, 0, sleep, "smpboot_thread_fn");
            if (cpu > 0) {
                k.kernelThread("ksoftirqd/" + cpu, 0, 0, sleep, "smpboot_thread_fn");
                k.kernelThread("kworker/" + cpu + ":0-mm_percpu_wq", wq, 0, idle, "worker_thread");
                k.kernelThread("kworker/" + cpu + ":0H-events_highpri", wq, -20, idle, "worker_thread");
            }
        }
        k.kernelThread("kdevtmpfs", 0, 0, sleep, "devtmpfs_work_loop");
        k.kernelThread("rcu_tasks_kthread", 0, 0, idle, "rcu_tasks_one_gp");
        k.kernelThread("kauditd", 0, 0, sleep, "kauditd_thread");
        k.kernelThread("khungtaskd", 0, 0, sleep, "watchdog");
        k.kernelThread("oom_reaper", 0, 0, sleep, "oom_reaper");
        k.kernelThread("kworker/R-writeback", wq, -20, idle, "rescuer_thread");
        k.kernelThread("kcompactd0", 0, 0, sleep, "kcompactd");
        k.kernelThread("ksmd", 0, 5, sleep, "ksm_scan_thread");
        k.kernelThread("khugepaged", 0, 19, sleep, "khugepaged");
        k.kernelThread("kworker/R-kblockd", wq, -20, idle, "rescuer_thread");
        k.kernelThread("kswapd0", 0, 0, sleep, "kswapd");
    }
}
