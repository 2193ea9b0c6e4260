package ksim.fs.proc;

import ksim.fs.Mount;
import ksim.kernel.Kernel;

/**
 * /proc/<pid>/mounts and /proc/<pid>/mountinfo (fs/proc_namespace.c show_vfsmnt and
 * show_mountinfo): one line per mount of the task's namespace, oldest first. Paths and types
 * escape space, tab, newline and backslash as octal (\040); sources also escape '#'.
 */
final class ProcMounts {
    private static final String PATH_ESC = " \t\n\\";
    private static final String SOURCE_ESC = " \t\n\\#";

    private ProcMounts() {}

    /** show_vfsmnt: "source mountpoint type options 0 0". */
    static byte[] mounts(Kernel k) {
        Text s = new Text();
        for (Mount m : k.mounts().list()) {
            escape(s, m.source(), SOURCE_ESC).put(' ');
            escape(s, m.mountpoint(), PATH_ESC).put(' ');
            escape(s, m.fstype(), PATH_ESC).put(' ');
            s.put(m.sbReadOnly() ? "ro" : "rw");
            mntFlags(s, m);
            s.put(m.fsOptions()).put(" 0 0\n");
        }
        return s.bytes();
    }

    /** show_mountinfo: "id parent major:minor root mountpoint mntopts [optional...] - type source superopts". */
    static byte[] mountinfo(Kernel k) {
        Text s = new Text();
        for (Mount m : k.mounts().list()) {
            s.put(m.id()).put(' ').put(m.parent().id()).put(' ').put(m.major()).put(':').put(m.minor()).put(' ');
            escape(s, m.root(), PATH_ESC).put(' ');
            escape(s, m.mountpoint(), PATH_ESC).put(' ');
            s.put(m.readOnly() ? "ro" : "rw");
            mntFlags(s, m);
            if (m.peerGroup() != 0) s.put(" shared:").put(m.peerGroup());
            s.put(" - ");
            escape(s, m.fstype(), PATH_ESC).put(' ');
            escape(s, m.source(), SOURCE_ESC).put(' ');
            s.put(m.sbReadOnly() ? "ro" : "rw").put(m.fsOptions()).put('\n');
        }
        return s.bytes();
    }

    /** show_mnt_opts. */
    private static void mntFlags(Text s, Mount m) {
        for (String f : m.mntFlags()) s.put(',').put(f);
    }

    /** seq_escape: each listed byte as a backslash and three octal digits. */
    static Text escape(Text s, String text, String esc) {
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if (b >= 0 && esc.indexOf(b) >= 0) {
                s.put('\\').put((char) ('0' + ((b >> 6) & 7))).put((char) ('0' + ((b >> 3) & 7))).put((char) ('0' + (b & 7)));
            } else {
                s.put(new byte[] {b});
            }
        }
        return s;
    }
}
