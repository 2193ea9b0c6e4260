package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.Namei;
import ksim.fs.OpenFlags;
import ksim.kernel.Clock;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.KernelError;
import ksim.kernel.Task;
import org.junit.jupiter.api.function.Executable;

/** A booted demo kernel with its /proc, and the read/readdir/readlink helpers the tests use. */
final class Proc {
    static final long BOOT_MS = 1_700_000_000_000L;

    final Kernel k;
    final ProcFs fs;

    Proc(KernelConfig config) {
        this.k = Kernel.boot(config);
        this.fs = new ProcFs(k);
    }

    static KernelConfig config() {
        return KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(BOOT_MS).withSeed(42);
    }

    static Proc boot() {
        return new Proc(config());
    }

    Inode walk(String path) {
        return walk(path, Caller.KERNEL);
    }

    Inode walk(String path, Caller c) {
        return Namei.walk(fs.root(), path, c);
    }

    File open(String path) {
        return walk(path).open(OpenFlags.O_RDONLY, Caller.KERNEL);
    }

    /** Reads the whole file in small chunks, as a client with a small buffer would. */
    static byte[] readAll(File f, int chunk) {
        byte[] out = new byte[0];
        byte[] buf = new byte[chunk];
        long off = 0;
        while (true) {
            int n = f.read(off, buf, 0, chunk);
            if (n == 0) return out;
            out = Arrays.copyOf(out, out.length + n);
            System.arraycopy(buf, 0, out, out.length - n, n);
            off += n;
        }
    }

    byte[] bytes(String path) {
        return readAll(open(path), 4096);
    }

    /** Bytes as ISO-8859-1, so any comm byte maps to one char. */
    String read(String path) {
        return new String(bytes(path), StandardCharsets.ISO_8859_1);
    }

    List<String> lines(String path) {
        return List.of(read(path).split("\n"));
    }

    String readlink(String path, Caller c) {
        return walk(path, c).readlink(c);
    }

    /** readdir without "." and "..". */
    List<String> list(String path) {
        List<String> names = new ArrayList<>();
        walk(path).readdir(Caller.KERNEL, (name, ino, mode) -> {
            if (!name.equals(".") && !name.equals("..")) names.add(name);
            return true;
        });
        return names;
    }

    /** The value of "Key:\t..." in a status-like file, without the key. */
    String field(String path, String key) {
        for (String l : lines(path)) if (l.startsWith(key + ":")) return l.substring(key.length() + 1).strip();
        throw new AssertionError(key + " not in " + path);
    }

    static long kb(String v) {
        return Long.parseLong(v.replace("kB", "").strip());
    }

    /** The fields of a stat line: [pid, comm, state, ppid, ...], comm taken between the first '(' and the last ')'. */
    static List<String> statFields(String stat) {
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        List<String> f = new ArrayList<>();
        f.add(stat.substring(0, open - 1));
        f.add(stat.substring(open + 1, close));
        String rest = stat.substring(close + 2);
        if (rest.endsWith("\n")) rest = rest.substring(0, rest.length() - 1);
        f.addAll(List.of(rest.split(" ", -1)));
        return f;
    }

    /** Field n of stat, 1-based as in proc(5). */
    static long statField(List<String> f, int n) {
        return Long.parseLong(f.get(n - 1));
    }

    Task byComm(String comm) {
        return k.locked(() -> {
            Task found = null;
            for (Task t : k.pids().allTasks()) {
                if (t.commString().equals(comm)) {
                    if (found != null) throw new AssertionError("two tasks named " + comm);
                    found = t;
                }
            }
            if (found == null) throw new AssertionError("no task named " + comm);
            return found;
        });
    }

    static Errno errnoOf(Executable e) {
        return assertThrows(KernelError.class, e).errno();
    }
}
