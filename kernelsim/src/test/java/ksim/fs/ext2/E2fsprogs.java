package ksim.fs.ext2;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the e2fsprogs tools (mkfs.ext2, e2fsck, debugfs, dumpe2fs) for tests. Without them the
 * tests that need them are skipped, unless -Dksim.requireFuse=true (CI, where .ci/run installs
 * them) makes that a failure.
 */
final class E2fsprogs {
    record Result(int rc, String out) {}

    private E2fsprogs() {}

    static void require() {
        boolean have = Files.isExecutable(Path.of("/sbin/e2fsck")) || Files.isExecutable(Path.of("/usr/sbin/e2fsck"));
        if (Boolean.getBoolean("ksim.requireFuse") && !have) throw new IllegalStateException("e2fsprogs required but missing");
        assumeTrue(have, "needs e2fsprogs");
    }

    static Result run(Map<String, String> env, String... cmd) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(cmd));
        for (String dir : List.of("/usr/sbin/", "/sbin/")) {
            if (Files.isExecutable(Path.of(dir + cmd[0]))) {
                argv.set(0, dir + cmd[0]);
                break;
            }
        }
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("hung: " + String.join(" ", cmd));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static Result run(String... cmd) throws IOException, InterruptedException {
        return run(Map.of(), cmd);
    }

    /** e2fsck -fn: exit 0 means the image is clean. */
    static Result fsck(Path image) throws IOException, InterruptedException {
        return run("e2fsck", "-fn", image.toString());
    }

    static String debugfs(Path image, String request) throws IOException, InterruptedException {
        return run("debugfs", "-R", request, image.toString()).out();
    }
}
