package ksim.fuse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import ksim.kernel.Kernel;
import ksim.kernel.Task;
import ksim.kernel.Tty;

/**
 * What a client inside a with-proc namespace needs around /proc to name terminals and list
 * logins: device nodes for the model's terminals (on a private tmpfs over /dev/pts, as the
 * host has none of the model's ptys) and a utmp file (on a private tmpfs over /run). Both
 * mounts live only in the client's mount namespace.
 */
final class LoginSetup {
    /** One utmp USER_PROCESS record to write. */
    record Login(String user, String line, int pid, String host, long loginEpochSeconds) {}

    private static final int UT_RECORD = 384;
    private static final short USER_PROCESS = 7;

    private LoginSetup() {}

    /** The model's terminals that are pseudo-terminals, by number. */
    static Set<Integer> ptys(Kernel k) {
        return k.locked(() -> {
            Set<Integer> n = new TreeSet<>();
            for (Task t : k.pids().leaders()) {
                Tty tty = t.signal().tty();
                if (tty != null && tty.name().startsWith("pts/")) n.add(Integer.parseInt(tty.name().substring(4)));
            }
            return n;
        });
    }

    /** A shell command making /dev/pts/N for each pty of the model. */
    static String ptyNodes(Kernel k) {
        StringBuilder s = new StringBuilder("mount -t tmpfs ksim-pts /dev/pts");
        for (int n : ptys(k)) s.append(" && mknod /dev/pts/").append(n).append(" c 136 ").append(n);
        return s.toString();
    }

    /** A shell command giving the namespace a /run holding utmp (a copy of the file at utmp). */
    static String utmp(Path utmp) {
        return "mount -t tmpfs ksim-run /run && cp " + utmp + " /run/utmp";
    }

    /** sh -c argv that runs setup and then command. */
    static String[] after(String setup, String... command) {
        List<String> a = new ArrayList<>(List.of("sh", "-c", setup + " && exec \"$@\"", "ksim-setup"));
        a.addAll(List.of(command));
        return a.toArray(new String[0]);
    }

    /** struct utmp records (bits/utmp.h, x86-64: 384 bytes each, little-endian). */
    static void writeUtmp(Path file, List<Login> logins) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(UT_RECORD * logins.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (Login l : logins) {
            int start = b.position();
            b.putShort(USER_PROCESS).putShort((short) 0).putInt(l.pid());
            put(b, l.line(), 32);
            put(b, l.line().replace("pts/", "ts/"), 4);
            put(b, l.user(), 32);
            put(b, l.host(), 256);
            b.putShort((short) 0).putShort((short) 0); // ut_exit
            b.putInt(0); // ut_session
            b.putInt((int) l.loginEpochSeconds()).putInt(0); // ut_tv
            b.position(start + UT_RECORD);
        }
        Files.write(file, b.array());
    }

    private static void put(ByteBuffer b, String s, int width) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        int start = b.position();
        b.put(v, 0, Math.min(v.length, width));
        b.position(start + width);
    }
}
