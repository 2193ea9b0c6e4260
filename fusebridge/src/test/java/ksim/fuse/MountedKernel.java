package ksim.fuse;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;

/**
 * A demo kernel with a manual clock, mounted at a temporary directory for the length of a
 * test class, and a way to run real clients against it in private namespaces.
 * Without /dev/fuse or root the tests are skipped, unless -Dksim.requireFuse=true (CI) makes
 * that a failure.
 */
final class MountedKernel implements AutoCloseable {
    record Result(int rc, String out, String err) {
        List<String> lines() {
            List<String> l = new ArrayList<>(List.of(out.split("\n")));
            l.removeIf(String::isEmpty);
            return l;
        }
    }

    final Path dir;
    final KsimServer server;
    final Kernel kernel;

    private MountedKernel(Path dir, KsimServer server) {
        this.dir = dir;
        this.server = server;
        this.kernel = server.kernel();
    }

    static MountedKernel start() throws IOException {
        return start(KernelConfig.defaults().memoryKb());
    }

    /** A mounted demo kernel with memoryKb of RAM (large populations need a large machine). */
    static MountedKernel start(long memoryKb) throws IOException {
        return start(c -> c.withMemoryKb(memoryKb));
    }

    /** A mounted demo kernel on the manual clock whose configuration the caller adjusts (more CPUs, more memory). */
    static MountedKernel start(java.util.function.UnaryOperator<KernelConfig> adjust) throws IOException {
        return start(adjust.apply(KernelConfig.defaults()).withClockMode(Clock.Mode.MANUAL));
    }

    /** A mounted demo kernel of config (its clock mode included), booted 3 s before now. */
    static MountedKernel start(KernelConfig base) throws IOException {
        boolean possible = Files.exists(Path.of("/dev/fuse")) && MountOptions.isRoot();
        if (Boolean.getBoolean("ksim.requireFuse") && !possible) {
            throw new IllegalStateException("FUSE tests required but /dev/fuse or root is missing");
        }
        assumeTrue(possible, "needs /dev/fuse and root");
        Path dir = Files.createTempDirectory("ksim-test");
        Files.createDirectories(dir.resolve("proc"));
        Files.createDirectories(dir.resolve("sys"));
        KernelConfig config = base.withBootEpochMs(System.currentTimeMillis() - 3000);
        return new MountedKernel(dir, KsimServer.start(config, dir.resolve("proc"), dir.resolve("sys"), MountOptions.defaults()));
    }

    Path proc() {
        return dir.resolve("proc");
    }

    /** Runs a client inside `ksim with-proc`'s namespaces. */
    Result run(String... command) throws IOException, InterruptedException {
        return exec(Namespaces.withProc(dir, List.of(command)), command);
    }

    /** Runs a client as `ksim with-proc --stand-ins` does: kill(pid, 0) succeeds for these pids. */
    Result runWithStandIns(java.util.Collection<Integer> pids, String... command) throws IOException, InterruptedException {
        return exec(Namespaces.withProcAndStandIns(dir, pids, List.of(command)), command);
    }

    private Result exec(List<String> argv, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("LC_ALL", "C");
        pb.environment().put("COLUMNS", "400");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("client hung: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(dir.resolve("proc"));
        Files.deleteIfExists(dir.resolve("sys"));
        Files.deleteIfExists(dir);
    }

    /** The model's processes, host visitors left out, by pid. */
    java.util.Map<Integer, ksim.kernel.Task> processes() {
        return kernel.locked(() -> {
            java.util.Map<Integer, ksim.kernel.Task> m = new java.util.TreeMap<>();
            for (ksim.kernel.Task t : kernel.pids().leaders()) if (!kernel.visitors().isVisitor(t)) m.put(t.pid(), t);
            return m;
        });
    }

    /** The name a client prints for t: its comm, or a kernel thread's full name. */
    static String comm(ksim.kernel.Task t) {
        return new String(t.procName(), java.nio.charset.StandardCharsets.UTF_8);
    }
}
