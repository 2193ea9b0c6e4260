package ksim.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import ksim.fs.Mount;
import ksim.fs.ext2.Ext2Mkfs;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount, umount and mounts over the control protocol (no bridge here: the kernel side only). */
class MountCommandsTest {
    private final Kernel k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL)
            .withBootEpochMs(1_700_000_000_000L).withSeed(7));
    private final Session s = Session.open(k);
    @TempDir
    Path tmp;

    private Map<String, String> ok(String line) {
        String a = s.execute(line);
        assertTrue(a.startsWith("ok"), line + " -> " + a);
        return CtlProtocolTest.fields(a);
    }

    private String err(String line) {
        String a = s.execute(line);
        assertTrue(a.startsWith("err "), line + " -> " + a);
        assertEquals(1, a.split("\n").length, "one line");
        return a.split(" ")[1];
    }

    private Path image(String name) {
        Path p = tmp.resolve(name);
        Ext2Mkfs.make(p, Ext2Mkfs.Params.of(8L << 20));
        return p;
    }

    @Test
    void mountAnswersTheMountAndUmountTakesItAway() {
        Path img = image("a.img");
        Map<String, String> m = ok("mount ext2 " + img + " /mnt/data -o ro");
        Mount model = k.mounts().find("/mnt/data");
        assertEquals(String.valueOf(model.id()), m.get("id"));
        assertEquals("/mnt/data", m.get("dir"));
        assertEquals("ext2", m.get("type"));
        assertEquals(model.major() + ":" + model.minor(), m.get("dev"));
        assertEquals("1", m.get("ro"));
        Map<String, String> l = ok("mounts");
        assertEquals(String.valueOf(k.mounts().list().size()), l.get("count"));
        assertTrue(s.execute("mounts").contains(model.id() + ":" + model.parent().id() + ":ext2:/mnt/data"));
        Map<String, String> u = ok("umount /mnt/data");
        assertEquals(m.get("id"), u.get("id"));
        assertEquals(null, k.mounts().find("/mnt/data"));
        // --options is the long form of -o
        ok("mount ext2 " + img + " /mnt/data --options rw,user_xattr");
        assertTrue(k.mounts().find("/mnt/data").fsOptions().contains("user_xattr"));
        ok("umount /mnt/data");
    }

    @Test
    void refusalsAreErrAndLeaveTheTableAsItWas() {
        Path img = image("a.img");
        ok("mount ext2 " + img + " /mnt/data");
        String before = s.execute("mounts");
        assertEquals("ENODEV", err("mount vfat " + img + " /mnt/x"));
        assertEquals("EINVAL", err("mount ext2 " + img + " mnt/x"));
        assertEquals("EINVAL", err("mount ext2 a.img /mnt/x"));
        assertEquals("EBUSY", err("mount ext2 " + image("b.img") + " /mnt/data"));
        assertEquals("EBUSY", err("mount ext2 " + img + " /mnt/y"));
        assertEquals("ENOENT", err("mount ext2 " + tmp.resolve("none.img") + " /mnt/x"));
        assertEquals("EINVAL", err("mount ext2 " + image("c.img") + " /mnt/x -o nosuchopt"));
        assertEquals("EINVAL", err("mount ext2 " + image("d.img") + " /mnt/x -o"));
        assertEquals("EINVAL", err("mount ext2 " + image("e.img")));
        assertEquals("EINVAL", err("umount /mnt/none"));
        assertEquals("EBUSY", err("umount /sys"));
        assertEquals(before, s.execute("mounts"));
        ok("umount /mnt/data");
    }
}
