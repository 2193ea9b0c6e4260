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
        if (t.isKthread()) throw Errno.EINVAL.error("a kernel thread has no user image to replace");
        // Since 5.18 an empty argv is not refused: the kernel adds "" as argv[0] and warns.
        if (argv.isEmpty()) argv = List.of("");
        t = t.groupLeader;
        MmStruct mm = k.mmSyscalls.load(program, vector(argv), vector(envp));
        k.accountMm(mm, +1); // ENOMEM here leaves the old image (and the other threads) in place
        deThread(t);
        MmStruct old = t.mm;
        t.mm = mm;
        if (old != null) k.accountMm(old, -1);
        for (Task thread : t.signal.threads()) thread.mm = t.mm;
        t.flags &= ~Task.PF_FORKNOEXEC;
        // flush_signal_handlers(): handlers are gone with the old image; SIG_IGN survives.
        t.sighand.flushHandlers();
        String path = program.path();
        t.setComm(path.substring(path.lastIndexOf('/') + 1));
    }

    /**
     * de_thread(): the other threads of the group die before the new image starts (the
     * model execs in the leader, so the process keeps its pid as it does in Linux).
     */
    private void deThread(Task leader) {
        for (Task th : new java.util.ArrayList<>(leader.signal.threads())) {
            if (th != leader && !th.hasExited()) k.exit.doExit(th, 0);
        }
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
