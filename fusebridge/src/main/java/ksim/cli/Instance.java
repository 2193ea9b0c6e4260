package ksim.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a running ksim lives on the host: a directory holding its pid file and the
 * mountpoints of its proc and sys. Default: $KSIM_RUNTIME_DIR, else /run/ksim for root,
 * else $TMPDIR/ksim-$USER; one subdirectory per instance name.
 */
record Instance(Path dir) {

    static Instance named(String name, Path explicitDir) {
        if (explicitDir != null) return new Instance(explicitDir.toAbsolutePath().normalize());
        String env = System.getenv("KSIM_RUNTIME_DIR");
        Path base;
        if (env != null && !env.isEmpty()) base = Path.of(env);
        else if ("root".equals(System.getProperty("user.name"))) base = Path.of("/run/ksim");
        else base = Path.of(System.getProperty("java.io.tmpdir"), "ksim-" + System.getProperty("user.name"));
        return new Instance(base.resolve(name).toAbsolutePath().normalize());
    }

    Path proc() { return dir.resolve("proc"); }
    Path sys() { return dir.resolve("sys"); }
    Path pidFile() { return dir.resolve("pid"); }
    /** The control socket (ksim ctl). */
    Path ctlSock() { return dir.resolve("ctl.sock"); }

    void create() throws IOException {
        Files.createDirectories(proc());
        Files.createDirectories(sys());
    }

    /**
     * The daemon's pid if its pid file names a live ksim process (a killed daemon's pid may
     * since have gone to an unrelated process, which must be left alone).
     */
    Optional<Long> runningPid() {
        try {
            long pid = Long.parseLong(Files.readString(pidFile(), StandardCharsets.US_ASCII).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    .filter(h -> h.info().commandLine().map(c -> c.contains("ksim")).orElse(false))
                    .map(h -> pid);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    void writePid() throws IOException {
        Files.writeString(pidFile(), ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
    }

    void removePid() {
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
