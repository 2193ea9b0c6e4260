package ksim.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ksim.fs.ext2.Ext2Fs;
import ksim.fuse.FuseMount;
import ksim.fuse.HostMounts;
import ksim.fuse.MountOptions;
import ksim.kernel.KernelError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * ksim mount-ext2: serves an ext2 image at a directory through FUSE, in the foreground, until it
 * is unmounted (fusermount -u) or the process gets SIGTERM/Ctrl-C; either way everything is
 * written back and the filesystem is marked clean. A process killed with -9 leaves it marked
 * not clean, as a crashed kernel would.
 */
@Command(name = "mount-ext2", mixinStandardHelpOptions = true,
        description = "Mount the ext2 image IMAGE at DIR through FUSE and serve it in the foreground "
                + "until unmounted (fusermount -u DIR) or stopped (Ctrl-C, SIGTERM).")
final class MountExt2Command implements Callable<Integer> {
    /** Dirty metadata older than this is written back (dirty_expire_centisecs). */

    @Parameters(index = "0", description = "The image file.")
    Path image;

    @Parameters(index = "1", description = "The mountpoint (an existing directory).")
    Path dir;

    @Option(names = "-o", description = "Mount options, comma separated: ro or rw (default rw); user_xattr "
            + "to read extended attributes (off by default: every listing would pay two attribute round trips per file).")
    String options;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the allocator's random choices (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--multi-threaded", description = "Serve FUSE requests on libfuse's thread pool instead of one thread.")
    boolean multiThreaded;

    @Override
    public Integer call() throws Exception {
        boolean ro = false;
        boolean xattr = false;
        if (options != null) {
            for (String o : options.split(",")) {
                if (o.equals("ro")) ro = true;
                else if (o.equals("rw")) ro = false;
                else if (o.equals("user_xattr")) xattr = true;
                else if (o.equals("nouser_xattr")) xattr = false;
                else {
                    System.err.println("ksim: mount-ext2: unsupported option '" + o + "'");
                    return 1;
                }
            }
        }
        if (!Files.isDirectory(dir)) {
            System.err.println("ksim: mount-ext2: " + dir + " is not a directory");
            return 1;
        }
        Ext2Fs fs;
        try {
            fs = Ext2Fs.mount(image, Ext2Fs.Options.defaults().withReadOnly(ro).withXattr(xattr).withSeed(seed));
        } catch (KernelError e) {
            System.err.println("ksim: mount-ext2: " + e.getMessage());
            return 32;
        }
        FuseMount mount = new FuseMount(fs);
        ksim.fuse.Ext2Flusher.attachImage(mount, fs, image);
        try {
            mount.mountAndWait(dir, new MountOptions(!multiThreaded, MountOptions.defaults().allowOther()), 10_000);
        } catch (RuntimeException e) {
            fs.putSuper();
            System.err.println("ksim: mount-ext2: " + e.getMessage());
            return 32;
        }
        ksim.fuse.Ext2Flusher.start(mount, fs, dir.toString());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (!mount.awaitExit(0)) {
                    mount.umount();
                    if (!mount.awaitExit(30_000) && HostMounts.isMounted(dir)) HostMounts.unmount(dir);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                System.err.println("ksim: mount-ext2: unmount failed: " + e.getMessage());
            } finally {
                fs.putSuper();
            }
        }, "ext2-unmount"));
        System.out.println("ksim: " + image + " mounted at " + dir + (fs.readOnly() ? " (read-only)" : ""));
        System.out.flush();
        mount.awaitExit();
        fs.putSuper();
        return 0;
    }
}
