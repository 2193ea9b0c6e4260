package ksim.fs.ext2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Iattr;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.fs.VfsOps;
import ksim.fs.Vfsmount;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Random operation sequences (fixed seeds) run on ksim's ext2 and on a directory of the host;
 * each operation must succeed or fail with the same errno on both, the two trees must hold the
 * same names, types, sizes, contents, link counts and symlink targets, also after remounting,
 * and e2fsck -fn must find the image clean at the end.
 */
class Ext2PropertyTest {
    static final Caller ROOT = Images.ROOT;
    static final String[] NAMES = {"a", "b", "c", "d", "e", "d1", "s", "long-name-" + "x".repeat(40)};
    static final String[] DIRS = {"", "/d1", "/d2", "/d1/s"};

    @TempDir
    Path tmp;

    @BeforeAll
    static void tools() {
        E2fsprogs.require();
    }

    private Ext2Fs fs;
    private Vfsmount m;
    private Path ref;
    private Random rnd;

    private String randomPath() {
        String dir = DIRS[rnd.nextInt(DIRS.length)];
        return dir + "/" + NAMES[rnd.nextInt(NAMES.length)];
    }

    private Path host(String p) {
        return p.isEmpty() ? ref : ref.resolve(p.substring(1));
    }

    /** The errno a host I/O failure stands for, by its exception type or strerror text. */
    static String errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) return "ENOENT";
        if (e instanceof FileAlreadyExistsException) return "EEXIST";
        if (e instanceof DirectoryNotEmptyException) return "ENOTEMPTY";
        String r = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
        if (r.contains("Not a directory")) return "ENOTDIR";
        if (r.contains("Is a directory")) return "EISDIR";
        if (r.contains("Invalid argument")) return "EINVAL";
        if (r.contains("File exists")) return "EEXIST";
        if (r.contains("No such file")) return "ENOENT";
        if (r.contains("not empty")) return "ENOTEMPTY";
        if (r.contains("Operation not permitted")) return "EPERM";
        return "other:" + r;
    }

    interface HostOp {
        void run() throws IOException;
    }

    interface KsimOp {
        void run();
    }

    private String hostResult(HostOp op) {
        try {
            op.run();
            return "ok";
        } catch (IOException e) {
            return errnoOf(e);
        }
    }

    private String ksimResult(KsimOp op) {
        try {
            op.run();
            return "ok";
        } catch (KernelError e) {
            return e.errno().name();
        }
    }

    private void both(String what, HostOp h, KsimOp k) {
        String a = hostResult(h);
        String b = ksimResult(k);
        assertEquals(a, b, what);
    }

    /**
     * The checks open+write or truncate make before touching data, with the host's own errnos
     * (ENOENT, ENOTDIR from the lookup); a directory is EISDIR; a symlink is EINVAL, as a VFS
     * call on the link itself (FUSE would have followed it) is.
     */
    private void regularOnHost(String p) throws IOException {
        var a = Files.readAttributes(host(p), java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isDirectory()) throw new FileSystemException(p, null, "Is a directory");
        if (a.isSymbolicLink()) throw new FileSystemException(p, null, "Invalid argument");
    }

    /** True if resolving p on the host would follow a symlink before its last component. */
    private boolean crossesSymlink(String p) {
        Path at = ref;
        String[] parts = p.substring(1).split("/");
        for (int k = 0; k < parts.length - 1; k++) {
            at = at.resolve(parts[k]);
            if (Files.isSymbolicLink(at)) return true;
        }
        return false;
    }

    private void step(int i) throws IOException {
        String p;
        String q;
        do {
            p = randomPath();
            q = randomPath();
        } while (crossesSymlink(p) || crossesSymlink(q));
        step(i, p, q);
    }

    /** One random operation on p (and q); FUSE never sees symlinks inside a path, so none are. */
    private void step(int i, String p, String q) throws IOException {
        int op = rnd.nextInt(100);
        if (op < 18) {
            both(i + ": create " + p, () -> Files.createFile(host(p)),
                    () -> VfsOps.mknod(m, p, Mode.S_IFREG | 0644, 0, ROOT));
        } else if (op < 40) {
            long off = rnd.nextInt(4) == 0 ? rnd.nextInt(30 << 20) : rnd.nextInt(200_000);
            byte[] data = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 3000 : 70_000)];
            rnd.nextBytes(data);
            both(i + ": write " + p + " @" + off + " +" + data.length, () -> {
                regularOnHost(p);
                try (RandomAccessFile f = new RandomAccessFile(host(p).toFile(), "rw")) {
                    f.seek(off);
                    f.write(data);
                }
            }, () -> {
                Inode n = VfsOps.resolve(m, p, ROOT);
                if (Mode.isLnk(n.getattr().mode())) throw ksim.kernel.Errno.EINVAL.error("symlink");
                File f = n.open(OpenFlags.O_WRONLY, ROOT);
                try {
                    assertEquals(data.length, f.write(off, data, data.length));
                } finally {
                    f.release();
                }
            });
        } else if (op < 50) {
            long size = rnd.nextInt(3) == 0 ? rnd.nextInt(5 << 20) : rnd.nextInt(100_000);
            both(i + ": truncate " + p + " " + size, () -> {
                regularOnHost(p);
                try (RandomAccessFile f = new RandomAccessFile(host(p).toFile(), "rw")) {
                    f.setLength(size);
                }
            }, () -> VfsOps.setattr(m, p, Iattr.size(size), ROOT));
        } else if (op < 60) {
            both(i + ": rename " + p + " " + q, () -> Files.move(host(p), host(q), StandardCopyOption.ATOMIC_MOVE),
                    () -> VfsOps.rename(m, p, q, ROOT));
        } else if (op < 67) {
            both(i + ": link " + p + " " + q, () -> Files.createLink(host(q), host(p)), () -> VfsOps.link(m, p, q, ROOT));
        } else if (op < 77) {
            both(i + ": unlink " + p, () -> {
                if (Files.isDirectory(host(p), LinkOption.NOFOLLOW_LINKS)) throw new FileSystemException(p, null, "Is a directory");
                Files.delete(host(p));
            }, () -> VfsOps.unlink(m, p, ROOT));
        } else if (op < 87) {
            both(i + ": mkdir " + p, () -> Files.createDirectory(host(p)), () -> VfsOps.mkdir(m, p, 0755, ROOT));
        } else if (op < 93) {
            both(i + ": rmdir " + p, () -> {
                if (Files.exists(host(p), LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(host(p), LinkOption.NOFOLLOW_LINKS)) {
                    throw new FileSystemException(p, null, "Not a directory");
                }
                Files.delete(host(p));
            }, () -> VfsOps.rmdir(m, p, ROOT));
        } else {
            String target = rnd.nextBoolean() ? NAMES[rnd.nextInt(NAMES.length)] : "../".repeat(1 + rnd.nextInt(25)) + "t";
            both(i + ": symlink " + target + " " + p, () -> Files.createSymbolicLink(host(p), Path.of(target)),
                    () -> VfsOps.symlink(m, target, p, ROOT));
        }
    }

    /** path -> description of everything comparable about it. */
    private TreeMap<String, String> hostTree() throws IOException {
        TreeMap<String, String> t = new TreeMap<>();
        try (Stream<Path> s = Files.walk(ref)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = "/" + ref.relativize(p).toString();
                if (Files.isSymbolicLink(p)) t.put(rel, "l " + Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) t.put(rel.equals("/") ? "/" : rel, "d");
                else t.put(rel, "f " + Files.size(p) + " " + Files.getAttribute(p, "unix:nlink") + " " + sha(Files.readAllBytes(p)));
            }
        }
        return t;
    }

    private TreeMap<String, String> ksimTree() {
        TreeMap<String, String> t = new TreeMap<>();
        walk("/", VfsOps.resolve(m, "/", ROOT), t);
        t.remove("/lost+found");
        return t;
    }

    private void walk(String path, Inode dir, TreeMap<String, String> t) {
        t.put(path, "d");
        List<String> names = new ArrayList<>();
        dir.readdir(ROOT, (n, ino, mode) -> names.add(n));
        for (String n : names) {
            if (n.equals(".") || n.equals("..") || (path.equals("/") && n.equals("lost+found"))) continue;
            String child = (path.equals("/") ? "" : path) + "/" + n;
            Inode c = VfsOps.resolve(m, child, ROOT);
            InodeAttr a = c.getattr();
            if (Mode.isDir(a.mode())) walk(child, c, t);
            else if (Mode.isLnk(a.mode())) t.put(child, "l " + c.readlink(ROOT));
            else t.put(child, "f " + a.size() + " " + a.nlink() + " " + sha(Images.read(c, 0, (int) a.size())));
        }
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"42, MKE2FS_1K", "7, KSIM_MKFS", "1234, MKE2FS_NO_DIR_INDEX"})
    void randomOperationsMatchTheHost(long seed, ImageKind kind) throws Exception {
        run(seed, kind, 2500, tmp);
    }

    /**
     * The longer run behind scripts/dev/ext2-random.sh: every seed of ksim.ext2.seeds on every
     * kind of image, ksim.ext2.ops operations each (off in the normal suite).
     */
    @Test
    @EnabledIfSystemProperty(named = "ksim.ext2.seeds", matches = ".+")
    void longRandomRuns() throws Exception {
        int ops = Integer.getInteger("ksim.ext2.ops", 20_000);
        for (String s : System.getProperty("ksim.ext2.seeds").split(",")) {
            long seed = Long.parseLong(s.trim());
            for (ImageKind kind : ImageKind.values()) {
                Path dir = Files.createDirectory(tmp.resolve(kind.name().toLowerCase() + "-" + seed));
                System.out.println("ext2 random run: seed " + seed + ", " + kind + ", " + ops + " operations");
                run(seed, kind, ops, dir);
                try (var walk = Files.walk(dir)) { // 128 MiB images add up over many runs
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
                }
            }
        }
    }

    private void run(long seed, ImageKind kind, int ops, Path dir) throws Exception {
        Path img = kind.make(dir, 128);
        ref = Files.createDirectory(dir.resolve("ref"));
        rnd = new Random(seed);
        fs = Images.mount(img);
        m = Images.vfs(fs);
        for (String d : new String[] {"/d1", "/d2", "/d1/s"}) {
            Files.createDirectory(host(d));
            VfsOps.mkdir(m, d, 0755, ROOT);
        }
        for (int i = 0; i < ops; i++) {
            step(i);
            if (i % 250 == 249) {
                assertEquals(hostTree(), ksimTree(), "seed " + seed + ", " + kind + ": trees after op " + i);
                if (i % 1000 == 999) {
                    fs.putSuper();
                    Images.assertClean(img);
                    fs = Images.mount(img);
                    m = Images.vfs(fs);
                    assertEquals(hostTree(), ksimTree(), "seed " + seed + ", " + kind + ": trees after remount at op " + i);
                }
            }
        }
        assertEquals(hostTree(), ksimTree(), "seed " + seed + ", " + kind + ": trees at the end");
        fs.putSuper();
        Images.assertClean(img);
    }
}
