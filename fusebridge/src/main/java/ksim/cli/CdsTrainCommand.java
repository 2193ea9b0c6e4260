package ksim.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import ksim.ctl.CtlServer;
import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.fs.SuperBlock;
import ksim.fs.proc.ProcFs;
import ksim.fs.sysfs.SysFs;
import ksim.fuse.FuseMount;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.KernelError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The class-loading rehearsal behind the launcher's class data sharing archive: it runs what
 * `up` runs before its mounts are ready — the command line, a boot, the control socket, both
 * FUSE file systems and a read of every /proc and /sys file — without mounting anything, so
 * it needs no FUSE device. The launcher runs it once per build under
 * -XX:ArchiveClassesAtExit; every later JVM maps the classes instead of loading them, which
 * is most of what starting `up` costs.
 */
@Command(name = "cds-train", hidden = true, description = "Load what `up` loads, then exit (used by the launcher).")
final class CdsTrainCommand implements Callable<Integer> {
    private static final int MAX_FILES = 20_000;
    private int files;

    @Override
    public Integer call() throws Exception {
        new CommandLine(new Main()).parseArgs("up", "--dir", "/nonexistent", "--clock", "WALL");
        Kernel k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL));
        k.tick(10);
        Path dir = Files.createTempDirectory("ksim-cds");
        Path sock = dir.resolve("ctl.sock");
        try (CtlServer ctl = CtlServer.start(k, sock)) {
            SuperBlock proc = new ProcFs(k);
            SuperBlock sys = new SysFs(k);
            new FuseMount(proc);
            new FuseMount(sys);
            walk(proc.root());
            walk(sys.root());
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    /** Reads every file under dir once; kernel errors (ESRCH, EACCES...) are part of the walk. */
    private void walk(Inode dir) {
        java.util.List<String> names = new java.util.ArrayList<>();
        try {
            dir.readdir(Caller.KERNEL, (DirEmitter) (name, ino, mode) -> {
                if (!name.equals(".") && !name.equals("..")) names.add(name);
                return true;
            });
        } catch (KernelError e) {
            return;
        }
        for (String name : names) {
            if (files++ >= MAX_FILES) return;
            try {
                Inode child = dir.lookup(name, Caller.KERNEL);
                int mode = child.getattr().mode();
                if (Mode.isDir(mode)) {
                    walk(child);
                } else if (Mode.isReg(mode)) {
                    File f = child.open(OpenFlags.O_RDONLY, Caller.KERNEL);
                    byte[] buf = new byte[4096];
                    f.read(0, buf, 0, buf.length);
                    f.release();
                } else if (Mode.isLnk(mode)) {
                    child.readlink(Caller.KERNEL);
                }
            } catch (KernelError e) {
                // a file the kernel refuses to show (environ of a kernel thread, ...)
            }
        }
    }
}
