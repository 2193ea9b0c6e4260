package ksim.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ksim.kernel.Visitors;

/**
 * Reads the host's real /proc to describe the host threads that send FUSE requests, so the
 * simulated kernel can give each a visitor task. The daemon runs in the host's mount
 * namespace, so /proc here is the host's, whatever its callers have bound over theirs.
 */
public final class HostProc implements Visitors.HostProbe {
    private final Path proc;

    public HostProc(Path proc) {
        this.proc = proc;
    }

    @Override
    public Visitors.HostThread describe(int tid) {
        if (tid <= 0) return null;
        try {
            Path tdir = proc.resolve(Integer.toString(tid));
            int tgid = -1, uid = 0, gid = 0;
            for (String line : Files.readAllLines(tdir.resolve("status"), StandardCharsets.ISO_8859_1)) {
                if (line.startsWith("Tgid:")) tgid = Integer.parseInt(line.substring(5).trim());
                else if (line.startsWith("Uid:")) uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                else if (line.startsWith("Gid:")) gid = Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
            }
            if (tgid <= 0) return null;
            Path pdir = proc.resolve(Integer.toString(tgid));
            long start = startTicks(pdir);
            String pcomm = comm(pdir);
            String tcomm = tid == tgid ? pcomm : comm(tdir);
            long[] statm = statm(pdir);
            return new Visitors.HostThread(tid, tgid, start, pcomm, tcomm, cmdline(pdir),
                    link(pdir.resolve("exe")), link(pdir.resolve("cwd")), uid, gid, statm[0] * 4, statm[1] * 4);
        } catch (IOException | RuntimeException e) {
            return null; // the thread exited while we looked
        }
    }

    @Override
    public boolean alive(int tgid, long startTicks) {
        try {
            return startTicks(proc.resolve(Integer.toString(tgid))) == startTicks;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Field 22 of stat, counted after the last ')' as every robust parser does. */
    private static long startTicks(Path pdir) throws IOException {
        String stat = Files.readString(pdir.resolve("stat"), StandardCharsets.ISO_8859_1);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[19]);
    }

    private static String comm(Path dir) throws IOException {
        return Files.readString(dir.resolve("comm"), StandardCharsets.ISO_8859_1).stripTrailing();
    }

    private static List<String> cmdline(Path pdir) throws IOException {
        byte[] b = Files.readAllBytes(pdir.resolve("cmdline"));
        List<String> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                args.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < b.length) args.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
        return args;
    }

    private static long[] statm(Path pdir) throws IOException {
        String[] f = Files.readString(pdir.resolve("statm")).trim().split(" ");
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    private static String link(Path p) {
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
