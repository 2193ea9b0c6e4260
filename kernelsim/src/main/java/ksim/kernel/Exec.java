package ksim.kernel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import ksim.mm.MmStruct;
import ksim.mm.Program;

/**
 * execve() (fs/exec.c): replaces a process's image with a program — a fresh mm laid out from
 * the program, the argument and environment strings copied onto its stack, and comm set to
 * the basename of the file, as __set_task_comm(bprm->filename) does.
 */
final class Exec {
    private final Kernel k;

    Exec(Kernel k) {
        this.k = k;
    }

    void exec(Task t, Program program, List<String> argv, List<String> envp) {
        if (argv.isEmpty()) throw Errno.EINVAL.error("execve needs at least argv[0]");
        if (t.isKthread()) throw Errno.EINVAL.error("a kernel thread has no user image to replace");
        MmStruct old = t.mm;
        t.mm = k.mmSyscalls.load(program, vector(argv), vector(envp));
        k.accountMm(t.mm, +1);
        if (old != null) k.accountMm(old, -1);
        for (Task thread : t.signal.threads()) thread.mm = t.mm;
        t.flags &= ~Task.PF_FORKNOEXEC;
        String path = program.path();
        t.setComm(path.substring(path.lastIndexOf('/') + 1));
    }

    /** NUL-terminated strings back to back, as they sit on the new stack. */
    static byte[] vector(List<String> strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.write(b, 0, b.length);
            out.write(0);
        }
        return out.toByteArray();
    }
}
