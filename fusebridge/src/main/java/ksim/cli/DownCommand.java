package ksim.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import ksim.fuse.HostMounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Stops a running instance and cleans mounts a killed daemon left behind. */
@Command(name = "down", mixinStandardHelpOptions = true,
        description = "Stop a running ksim (SIGTERM, wait) and unmount its /proc and /sys, "
                + "including mounts left dead by a daemon that was killed.")
final class DownCommand implements Callable<Integer> {
    @Mixin
    InstanceOptions where;

    @Override
    public Integer call() throws java.io.IOException {
        Instance in = where.instance();
        boolean did = false;
        Optional<Long> pid = in.runningPid();
        if (pid.isPresent()) {
            ProcessHandle h = ProcessHandle.of(pid.get()).orElseThrow();
            h.destroy();
            try {
                h.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("ksim: daemon " + pid.get() + " did not stop within 15 s");
                return 1;
            }
            System.out.println("ksim: stopped daemon " + pid.get());
            did = true;
        }
        did |= cleanDeadMounts(in, System.out);
        in.removePid();
        // A killed daemon leaves its control socket behind.
        java.nio.file.Files.deleteIfExists(in.ctlSock());
        if (!did) System.out.println("ksim: nothing running at " + in.dir());
        return 0;
    }

    /** Unmounts what is still mounted under root/ (kernel mounts), proc/ and sys/; says so for each. */
    static boolean cleanDeadMounts(Instance in, java.io.PrintStream out) {
        boolean did = false;
        java.util.List<Path> left = new java.util.ArrayList<>(HostMounts.mountedUnder(in.dir().resolve("root")));
        left.add(in.proc());
        left.add(in.sys());
        for (Path p : left) {
            if (!HostMounts.isMounted(p)) continue;
            boolean dead = HostMounts.isDead(p);
            if (HostMounts.unmount(p)) {
                out.println(dead
                        ? "ksim: cleaned a dead mount at " + p + " (its daemon was killed: Transport endpoint is not connected)"
                        : "ksim: unmounted " + p);
                did = true;
            } else {
                System.err.println("ksim: could not unmount " + p);
            }
        }
        return did;
    }
}
