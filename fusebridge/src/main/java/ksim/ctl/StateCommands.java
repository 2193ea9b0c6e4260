package ksim.ctl;

import java.util.Set;
import ksim.kernel.Errno;
import ksim.kernel.Task;
import ksim.kernel.TaskState;

/** sleep, run, trace, untrace, nice: what a task is doing and how it is scheduled. */
final class StateCommands {
    private StateCommands() {}

    static void register(Commands c) {
        c.add("sleep", "sleep TID [S|D|I|P] [--wchan W]   (S: interruptible, D: uninterruptible, I/P: kernel threads)",
                Set.of("wchan"), Set.of(), StateCommands::sleep);
        c.add("run", "run TID   (runnable: R)", Set.of(), Set.of(), StateCommands::run);
        c.add("trace", "trace TID [--tracer PID]   (ptrace attach and stop: t; the tracer defaults to the real parent)",
                Set.of("tracer"), Set.of(), StateCommands::trace);
        c.add("untrace", "untrace TID   (ptrace detach)", Set.of(), Set.of(), StateCommands::untrace);
        c.add("nice", "nice TID N   (setpriority; clamped to -20..19)", Set.of(), Set.of(), StateCommands::nice);
    }

    private static Reply sleep(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        TaskState st = Parse.state(a.positional().size() > 1 ? a.pos(1, "state") : "S");
        if (st == TaskState.RUNNING) throw Errno.EINVAL.error("sleep: R is not a sleep; use run");
        String wchan = a.value("wchan", Parse.defaultWchan(st));
        return setState(ctl, pid, st, wchan);
    }

    private static Reply run(Ctl ctl, Args a) {
        a.atMost(1);
        return setState(ctl, a.pid(0), TaskState.RUNNING, "");
    }

    private static Reply setState(Ctl ctl, int pid, TaskState st, String wchan) {
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.setState(t, st, wchan);
            // Waking up, it may have taken a pending signal: say where it really is.
            return Reply.ok().put("pid", pid).put("state", Ctl.state(t)).put("wchan", t.wchan().isEmpty() ? "0" : t.wchan());
        });
    }

    private static Reply trace(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        int tracerPid = a.intValue("tracer", 0, 1, Integer.MAX_VALUE);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            Task tracer = tracerPid != 0 ? ctl.sys.task(tracerPid) : t.realParent();
            if (tracer == null) throw Errno.EPERM.error("task " + pid + " has no parent to trace it");
            ctl.sys.ptraceAttach(t, tracer);
            return Reply.ok().put("pid", pid).put("tracer", tracer.tgid()).put("state", Ctl.state(t));
        });
    }

    private static Reply untrace(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.ptraceDetach(t);
            return Reply.ok().put("pid", pid).put("state", Ctl.state(t));
        });
    }

    private static Reply nice(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        int n = a.posInt(1, "nice", Integer.MIN_VALUE, Integer.MAX_VALUE);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.setNice(t, n);
            return Reply.ok().put("pid", pid).put("nice", t.nice());
        });
    }
}
