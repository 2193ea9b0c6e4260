package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import ksim.kernel.Errno;
import ksim.kernel.SighandStruct;
import ksim.kernel.Signum;
import ksim.kernel.Syscalls;
import ksim.kernel.Task;

/** kill, stop, cont, sigaction, sigmask. */
final class SignalCommands {
    private SignalCommands() {}

    static void register(Commands c) {
        c.add("kill", "kill [-SIG | -s SIG | --signal SIG] [--thread] [--pgrp] TARGET...   (SIG: 0..64 or a name; default TERM)",
                Set.of("signal"), Set.of("thread", "pgrp"), SignalCommands::kill);
        c.add("stop", "stop PID...   (kill -STOP)", Set.of(), Set.of(), (ctl, a) -> send(ctl, "stop", a.positional(), Signum.SIGSTOP, false, false));
        c.add("cont", "cont PID...   (kill -CONT)", Set.of(), Set.of(), (ctl, a) -> send(ctl, "cont", a.positional(), Signum.SIGCONT, false, false));
        c.add("sigaction", "sigaction PID SIG default|ignore|catch [--nocldstop] [--nocldwait]",
                Set.of(), Set.of("nocldstop", "nocldwait"), SignalCommands::sigaction);
        c.add("sigmask", "sigmask TID block|unblock|set SIG[,SIG...]|none", Set.of(), Set.of(), SignalCommands::sigmask);
    }

    private static Reply kill(Ctl ctl, Args a) {
        List<String> pos = new ArrayList<>(a.positional());
        String sigWord = a.value("signal", null);
        if (!pos.isEmpty() && pos.get(0).equals("-s")) {
            if (pos.size() < 2) throw Errno.EINVAL.error("kill: -s needs a signal");
            sigWord = pos.get(1);
            pos = pos.subList(2, pos.size());
        } else if (!pos.isEmpty() && pos.get(0).startsWith("-") && pos.get(0).length() > 1) {
            sigWord = pos.get(0).substring(1);
            pos = pos.subList(1, pos.size());
        }
        int sig = sigWord == null ? Signum.SIGTERM : Parse.signal(sigWord);
        return send(ctl, a.command(), pos, sig, a.flag("thread"), a.flag("pgrp"));
    }

    /** Every target is checked before any signal goes, so a bad one changes nothing. */
    private static Reply send(Ctl ctl, String cmd, List<String> targets, int sig, boolean thread, boolean pgrp) {
        if (targets.isEmpty()) throw Errno.EINVAL.error(cmd + ": no " + (pgrp ? "process group" : "pid") + " given");
        if (thread && pgrp) throw Errno.EINVAL.error(cmd + ": --thread and --pgrp do not go together");
        List<Integer> ids = new ArrayList<>();
        for (String w : targets) {
            try {
                long v = Long.parseLong(w);
                if (v < 1 || v > Integer.MAX_VALUE) throw Errno.EINVAL.error(cmd + ": " + (pgrp ? "process group" : "pid") + " must be positive: " + w);
                ids.add((int) v);
            } catch (NumberFormatException e) {
                throw Errno.EINVAL.error(cmd + ": not a pid: " + w);
            }
        }
        return ctl.locked(() -> {
            int sent = 0;
            if (pgrp) {
                for (int g : ids) sent += ctl.sys.killPgrp(g, sig);
                return Reply.ok().put("sent", sent).put("signal", Signum.name(sig));
            }
            List<Task> tasks = new ArrayList<>();
            for (int pid : ids) tasks.add(ctl.sys.task(pid));
            for (Task t : tasks) {
                if (thread) ctl.sys.tgkill(t, sig);
                else ctl.sys.kill(t, sig);
                sent++;
            }
            Reply r = Reply.ok().put("sent", sent).put("signal", sig == 0 ? "0" : Signum.name(sig));
            if (tasks.size() == 1) r.put("state", Ctl.state(thread ? tasks.get(0) : tasks.get(0).groupLeader()));
            return r;
        });
    }

    private static Reply sigaction(Ctl ctl, Args a) {
        a.atMost(3);
        int pid = a.pid(0);
        int sig = Parse.signal(a.pos(1, "signal"));
        SighandStruct.Action act = switch (a.pos(2, "default|ignore|catch").toLowerCase(Locale.ROOT)) {
            case "default", "dfl" -> SighandStruct.Action.DEFAULT;
            case "ignore", "ign" -> SighandStruct.Action.IGNORE;
            case "catch", "handle" -> SighandStruct.Action.CATCH;
            default -> throw Errno.EINVAL.error("sigaction: the action is default, ignore or catch");
        };
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.sigaction(t, sig, act, a.flag("nocldstop"), a.flag("nocldwait"));
            return Reply.ok().put("pid", t.tgid()).put("sigign", Signum.hex(t.sighand().ignored()))
                    .put("sigcgt", Signum.hex(t.sighand().caught())).put("state", Ctl.state(t.groupLeader()));
        });
    }

    private static Reply sigmask(Ctl ctl, Args a) {
        a.atMost(3);
        int pid = a.pid(0);
        int how = switch (a.pos(1, "block|unblock|set")) {
            case "block" -> Syscalls.SIG_BLOCK;
            case "unblock" -> Syscalls.SIG_UNBLOCK;
            case "set" -> Syscalls.SIG_SETMASK;
            default -> throw Errno.EINVAL.error("sigmask: block, unblock or set");
        };
        long set = Parse.sigset(a.pos(2, "signals"));
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.sigprocmask(t, how, set);
            return Reply.ok().put("tid", t.pid()).put("sigblk", Signum.hex(t.blocked())).put("state", Ctl.state(t));
        });
    }
}
