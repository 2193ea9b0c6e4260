package ksim.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The host's view of a mountpoint: whether something is mounted there, whether it is a FUSE
 * mount whose daemon died ("Transport endpoint is not connected"), and unmounting with
 * fusermount, lazily when a process still sits inside.
 */
public final class HostMounts {
    private HostMounts() {}

    /** True if dir is a mountpoint in this process's mount namespace (/proc/self/mountinfo). */
    public static boolean isMounted(Path dir) {
        String target = dir.toAbsolutePath().normalize().toString();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).equals(target)) return true;
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** The mountpoints strictly below dir in this process's mount namespace, deepest first. */
    public static java.util.List<Path> mountedUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize() + "/";
        java.util.List<Path> out = new java.util.ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"), StandardCharsets.UTF_8)) {
                String[] f = line.split(" ");
                if (f.length > 4 && unescape(f[4]).startsWith(prefix)) out.add(0, Path.of(unescape(f[4])));
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** True if a FUSE mount at dir has lost its daemon. */
    public static boolean isDead(Path dir) {
        try {
            Files.readAttributes(dir, "unix:ino");
            return false;
        } catch (FileSystemException e) {
            String reason = e.getReason();
            return reason != null && reason.contains("Transport endpoint is not connected");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** fusermount -u (-z if busy); true on success. */
    /** umount without MNT_DETACH: fails (false) while anything on the host still uses dir. */
    public static boolean unmountNow(Path dir) {
        return run("fusermount", "-u", dir.toString());
    }

    public static boolean unmount(Path dir) {
        return run("fusermount", "-u", dir.toString()) || run("fusermount", "-u", "-z", dir.toString())
                || run("umount", "-l", dir.toString());
    }

    private static boolean run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
