package ksim.ctl;

import java.util.Set;
import ksim.kernel.Task;

/** setsid, setpgid, tty, fg: sessions, process groups and controlling terminals. */
final class SessionCommands {
    private SessionCommands() {}

    static void register(Commands c) {
        c.add("setsid", "setsid PID", Set.of(), Set.of(), SessionCommands::setsid);
        c.add("setpgid", "setpgid PID PGID   (PGID 0: its own pid)", Set.of(), Set.of(), SessionCommands::setpgid);
        c.add("tty", "tty PID ttyN|pts/N|none   (TIOCSCTTY by a session leader, or TIOCNOTTY)", Set.of(), Set.of(), SessionCommands::tty);
        c.add("fg", "fg PID [PGRP]   (tcsetpgrp: PGRP, by default PID's group, in the foreground of PID's terminal)",
                Set.of(), Set.of(), SessionCommands::fg);
    }

    private static Reply describe(Task t) {
        var s = t.signal();
        return Reply.ok().put("pid", t.tgid()).put("pgid", s.pgrp()).put("sid", s.session())
                .put("tty", s.tty() == null ? "?" : s.tty().name())
                .put("tpgid", s.tty() == null ? -1 : s.tty().foregroundPgrp());
    }

    private static Reply setsid(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.setsid(t);
            return describe(t);
        });
    }

    private static Reply setpgid(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        int pgid = a.posInt(1, "pgid", Integer.MIN_VALUE, Integer.MAX_VALUE);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.setpgid(t, pgid);
            return describe(t);
        });
    }

    private static Reply tty(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        String name = a.pos(1, "terminal name or none");
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            if (name.equals("none")) ctl.sys.dropControllingTty(t);
            else ctl.sys.setControllingTty(t, name);
            return describe(t);
        });
    }

    private static Reply fg(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        int pgrp = a.positional().size() > 1 ? a.posInt(1, "pgrp", Integer.MIN_VALUE, Integer.MAX_VALUE) : 0;
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.tcsetpgrp(t, pgrp == 0 ? t.signal().pgrp() : pgrp);
            return describe(t);
        });
    }
}
