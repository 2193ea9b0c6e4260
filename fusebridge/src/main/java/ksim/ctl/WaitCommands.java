package ksim.ctl;

import java.util.Set;
import ksim.kernel.Signum;
import ksim.kernel.Task;
import ksim.kernel.WaitStatus;

/**
 * wait and reap: collecting zombies (and, with --untraced, stops). A plain wait is WNOHANG;
 * with --block the task sleeps in do_wait until a child is ready, and --last tells what it
 * collected then.
 */
final class WaitCommands {
    private WaitCommands() {}

    static void register(Commands c) {
        c.add("wait", "wait PID [CHILD] [--untraced] [--block [--then WCHAN]] [--last]   (wait4 by PID, WNOHANG:"
                        + " pid=0 when no child is ready; --block: PID sleeps in do_wait until one is, then runs, or"
                        + " sleeps on in WCHAN; --last: what PID's last blocking wait collected)",
                Set.of("then"), Set.of("untraced", "block", "last"), WaitCommands::waitCmd);
        c.add("reap", "reap PID [--hold]   (PID's parent reaps it; --hold stops in X before the release)",
                Set.of(), Set.of("hold"), WaitCommands::reap);
    }

    private static Reply waitCmd(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        int child = a.positional().size() > 1 ? a.posInt(1, "child pid", -1, Integer.MAX_VALUE) : -1;
        if (child == 0) throw ksim.kernel.Errno.EINVAL.error("wait: child pid is -1 (any) or a pid");
        boolean untraced = a.flag("untraced");
        boolean block = a.flag("block");
        String then = a.value("then", null);
        if (then != null && !block) throw ksim.kernel.Errno.EINVAL.error("wait: --then goes with --block");
        if (then != null && !then.matches("[A-Za-z0-9_.]{1,64}")) {
            throw ksim.kernel.Errno.EINVAL.error("wait: --then takes a wait channel name (letters, digits, _ and .)");
        }
        if (a.flag("last")) {
            if (block || untraced || a.positional().size() > 1) throw ksim.kernel.Errno.EINVAL.error("wait: --last takes only PID");
            return ctl.locked(() -> {
                Task t = ctl.sys.task(pid);
                WaitStatus w = t.lastWait();
                Reply r = w == null ? Reply.ok().put("pid", 0) : describe(w);
                return r.put("waiting", t.inWait() ? 1 : 0);
            });
        }
        if (!block) return ctl.locked(() -> describe(ctl.sys.wait4(ctl.sys.task(pid), child, untraced)));
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            WaitStatus w = ctl.sys.wait4Blocking(t, child, untraced, then);
            return describe(w).put("waiting", w.pid() == 0 ? 1 : 0);
        });
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
