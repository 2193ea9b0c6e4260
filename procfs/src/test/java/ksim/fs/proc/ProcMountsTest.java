package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.fs.Caller;
import ksim.fs.Mount;
import ksim.fs.ext2.Ext2Mkfs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcMountsTest {
    /** proc_pid_mountinfo(5): ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - TYPE SOURCE SUPEROPTS. */
    private static final Pattern MOUNTINFO = Pattern.compile(
            "(\\d+) (\\d+) (\\d+):(\\d+) (\\S+) (\\S+) (\\S+)((?: \\S+:\\S+)*) - (\\S+) (\\S+) (\\S+)");

    @TempDir
    Path tmp;

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() + 0 && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private Proc withExt2(String image, String dir, List<String> opts) {
        Proc p = Proc.boot();
        Path img = tmp.resolve(image);
        Ext2Mkfs.make(img, Ext2Mkfs.Params.of(8L << 20));
        p.k.mounts().mount("ext2", img.toString(), dir, opts);
        return p;
    }

    @Test
    void mountinfoHasOneLinePerMountInTheModelsOrderWithItsFields() {
        Proc p = withExt2("a#b c.img", "/mnt/my data", List.of("ro", "user_xattr"));
        List<Mount> model = p.k.mounts().list();
        List<String> lines = p.lines("/1/mountinfo");
        assertEquals(model.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            Matcher x = MOUNTINFO.matcher(lines.get(i));
            assertTrue(x.matches(), lines.get(i));
            Mount m = model.get(i);
            assertEquals(m.id(), Integer.parseInt(x.group(1)));
            assertEquals(m.parent().id(), Integer.parseInt(x.group(2)));
            assertEquals(m.major(), Integer.parseInt(x.group(3)));
            assertEquals(m.minor(), Integer.parseInt(x.group(4)));
            assertEquals(m.root(), unescape(x.group(5)));
            assertEquals(m.mountpoint(), unescape(x.group(6)));
            List<String> opts = List.of(x.group(7).split(","));
            assertEquals(m.readOnly() ? "ro" : "rw", opts.get(0));
            assertEquals(m.mntFlags(), opts.subList(1, opts.size()));
            assertEquals(" shared:" + m.peerGroup(), x.group(8));
            assertEquals(m.fstype(), unescape(x.group(9)));
            assertEquals(m.source(), unescape(x.group(10)));
            assertEquals((m.sbReadOnly() ? "ro" : "rw") + m.fsOptions(), x.group(11));
        }
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains("/mnt/my\\040data "), "a space in a path is \\040: " + last);
        assertTrue(last.contains("a\\043b\\040c.img "), "a source also escapes '#': " + last);
        assertTrue(last.endsWith(" ro,user_xattr"), last);
        // every task of the namespace sees the same table
        assertEquals(p.read("/1/mountinfo"), p.read("/2/mountinfo"));
    }

    @Test
    void mountsIsTheFstabFormatOfTheSameTable() {
        Proc p = withExt2("a.img", "/mnt/data", List.of());
        List<Mount> model = p.k.mounts().list();
        List<String> lines = p.lines("/1/mounts");
        assertEquals(model.size(), lines.size());
        List<String> dirs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String[] f = lines.get(i).split(" ");
            assertEquals(6, f.length, lines.get(i));
            Mount m = model.get(i);
            assertEquals(m.source(), unescape(f[0]));
            assertEquals(m.mountpoint(), unescape(f[1]));
            assertEquals(m.fstype(), f[2]);
            StringBuilder opts = new StringBuilder(m.sbReadOnly() ? "ro" : "rw");
            for (String o : m.mntFlags()) opts.append(',').append(o);
            assertEquals(opts + m.fsOptions(), f[3]);
            assertEquals("0", f[4]);
            assertEquals("0", f[5]);
            dirs.add(f[1]);
        }
        assertTrue(dirs.contains("/mnt/data"));
        assertEquals("self/mounts", p.walk("/mounts").readlink(Caller.KERNEL));
        // umount takes the line away
        p.k.mounts().umount("/mnt/data");
        assertFalse(p.read("/1/mounts").contains("/mnt/data"));
        assertEquals(model.size() - 1, p.lines("/1/mountinfo").size());
    }
}
