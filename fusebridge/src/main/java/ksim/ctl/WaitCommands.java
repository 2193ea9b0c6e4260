package ksim.ctl;

import java.util.Set;
import ksim.kernel.Signum;
import ksim.kernel.Task;
import ksim.kernel.WaitStatus;

/** wait and reap: collecting zombies (and, with --untraced, stops). Never blocks. */
final class WaitCommands {
    private WaitCommands() {}

    static void register(Commands c) {
        c.add("wait", "wait PID [CHILD] [--untraced]   (wait4 by PID, WNOHANG: pid=0 when no child is ready)",
                Set.of(), Set.of("untraced"), WaitCommands::waitCmd);
        c.add("reap", "reap PID [--hold]   (PID's parent reaps it; --hold stops in X before the release)",
                Set.of(), Set.of("hold"), WaitCommands::reap);
    }

    private static Reply waitCmd(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        int child = a.positional().size() > 1 ? a.posInt(1, "child pid", -1, Integer.MAX_VALUE) : -1;
        if (child == 0) throw ksim.kernel.Errno.EINVAL.error("wait: child pid is -1 (any) or a pid");
        boolean untraced = a.flag("untraced");
        return ctl.locked(() -> describe(ctl.sys.wait4(ctl.sys.task(pid), child, untraced)));
    }

    private static Reply reap(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        boolean hold = a.flag("hold");
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            Reply r = describe(ctl.sys.reap(t, hold));
            return r.put("state", Ctl.state(t));
        });
    }

    /** pid, the raw status, and what it means, as WIFEXITED/WIFSIGNALED/WIFSTOPPED would say. */
    static Reply describe(WaitStatus w) {
        Reply r = Reply.ok().put("pid", w.pid());
        if (w.pid() == 0) return r;
        r.put("status", w.status());
        if (w.exited()) r.put("exited", w.exitCode());
        if (w.signaled()) r.put("signal", Signum.name(w.termSignal())).put("core", w.coreDumped() ? 1 : 0);
        if (w.stopped()) r.put("stopped", Signum.name(w.stopSignal()));
        return r;
    }
}
