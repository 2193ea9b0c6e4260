package ksim.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import ksim.ctl.CtlServer;
import ksim.ctl.Scenario;
import ksim.fuse.KsimServer;
import ksim.fuse.MountOptions;
import ksim.kernel.Clock;
import ksim.kernel.KernelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Boots a kernel, mounts its proc and sys, and serves them until SIGTERM or Ctrl-C. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Boot the demo kernel, mount its /proc and /sys, and stay in the foreground "
                + "until Ctrl-C or SIGTERM, then unmount.")
final class UpCommand implements Callable<Integer> {
    @Mixin
    InstanceOptions where;

    @Option(names = "--cpus", defaultValue = "2", description = "Simulated CPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--memory-mb", defaultValue = "4096", description = "Simulated memory in MiB (default: ${DEFAULT-VALUE}).")
    long memoryMb;

    @Option(names = "--hostname", defaultValue = "ksim", description = "Hostname (default: ${DEFAULT-VALUE}).")
    String hostname;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clock", defaultValue = "WALL", description = "WALL (follows real time) or MANUAL (default: ${DEFAULT-VALUE}).")
    Clock.Mode clock;

    @Option(names = "--no-demo", description = "Boot only the kernel threads and init.")
    boolean noDemo;

    @Option(names = "--workers", defaultValue = "0",
            description = "Also start an nginx master with this many idle worker processes (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--scenario", paramLabel = "FILE",
            description = "Replay this file of control commands (one per line, as `ksim ctl` takes them) after boot, "
                    + "before mounting; the first command answered with err aborts the boot.")
    java.nio.file.Path scenario;

    @Option(names = "--multi-threaded",
            description = "Serve FUSE requests on libfuse's thread pool instead of one thread (slower here: "
                    + "pool threads come and go and each attaches to the JVM).")
    boolean multiThreaded;

    @Override
    public Integer call() throws Exception {
        Instance in = where.instance();
        var pid = in.runningPid();
        if (pid.isPresent()) {
            System.err.println("ksim: already running at " + in.dir() + " (pid " + pid.get() + "); stop it with: ksim down");
            return 1;
        }
        // A daemon killed with -9 leaves dead mounts, which even mkdir cannot look at: clean first.
        DownCommand.cleanDeadMounts(in, System.out);
        in.create();
        KernelConfig config;
        try {
            config = KernelConfig.defaults().withCpus(cpus).withMemoryKb(memoryMb * 1024).withHostname(hostname)
                    .withSeed(seed).withClockMode(clock).withDemo(!noDemo);
        } catch (IllegalArgumentException e) {
            System.err.println("ksim: " + e.getMessage());
            return 2;
        }
        if (workers < 0) {
            System.err.println("ksim: --workers must not be negative");
            return 2;
        }
        if (scenario != null && !java.nio.file.Files.isReadable(scenario)) {
            System.err.println("ksim: cannot read scenario " + scenario);
            return 2;
        }
        // Everything a client may look for exists before the mounts appear: the scenario has run,
        // the control socket listens and the pid file is written (tests wait for the mount).
        java.util.concurrent.atomic.AtomicReference<CtlServer> ctlRef = new java.util.concurrent.atomic.AtomicReference<>();
        KsimServer server;
        try {
            server = KsimServer.start(config, in.proc(), in.sys(),
                    new MountOptions(!multiThreaded, MountOptions.defaults().allowOther()), workers, k -> {
                        replayScenario(k);
                        ctlRef.set(listen(k, in));
                        writePid(in);
                    });
        } catch (ScenarioAbort e) {
            closeControl(ctlRef.get(), in);
            System.err.println("ksim: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            closeControl(ctlRef.get(), in);
            throw e;
        }
        CtlServer ctl = ctlRef.get();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ctl.close();
            server.close();
            in.removePid();
            stopped.countDown();
        }, "ksim-shutdown"));
        System.out.println("ksim is up: /proc at " + in.proc() + ", /sys at " + in.sys());
        System.out.println("  look:  ksim with-proc -- ps aux      (or: cat " + in.proc() + "/stat)");
        System.out.println("  drive: ksim ctl spawn --comm demo    (control socket " + in.ctlSock() + ")");
        System.out.println("  stop:  Ctrl-C here, or: ksim down");
        System.out.flush();
        stopped.await();
        return 0;
    }

    /** The boot cannot go on (a scenario line failed, the socket or pid file cannot be made): nothing is mounted yet. */
    private static final class ScenarioAbort extends RuntimeException {
        ScenarioAbort(String message) {
            super(message, null, false, false);
        }
    }

    private void replayScenario(ksim.kernel.Kernel k) {
        if (scenario == null) return;
        try {
            int n = Scenario.replay(k, scenario);
            System.out.println("ksim: scenario " + scenario + ": " + n + " commands");
        } catch (Scenario.Failed e) {
            throw new ScenarioAbort("boot aborted by the scenario: " + e.getMessage());
        } catch (java.io.IOException e) {
            throw new ScenarioAbort("boot aborted: cannot read " + scenario + ": " + e.getMessage());
        }
    }

    private static CtlServer listen(ksim.kernel.Kernel k, Instance in) {
        try {
            return CtlServer.start(k, in.ctlSock());
        } catch (java.io.IOException | RuntimeException e) {
            throw new ScenarioAbort("cannot listen at " + in.ctlSock() + ": " + e.getMessage());
        }
    }

    private static void writePid(Instance in) {
        try {
            in.writePid();
        } catch (java.io.IOException e) {
            throw new ScenarioAbort("cannot write " + in.pidFile() + ": " + e.getMessage());
        }
    }

    private static void closeControl(CtlServer ctl, Instance in) {
        if (ctl != null) ctl.close();
        in.removePid();
    }
}
