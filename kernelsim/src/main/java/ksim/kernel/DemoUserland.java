package ksim.kernel;

import java.util.List;
import ksim.mm.Program;

/**
 * The userland the demo kernel boots into: the daemons of a small server, an ssh login with
 * a shell on a pseudo-terminal running a foreground job and a background one, a multi-
 * threaded daemon, a process whose name contains spaces and parentheses, and a getty.
 * Every kind of row a /proc parser has to get right appears at least once.
 */
final class DemoUserland {
    /** Where an interactive bash sleeps at its prompt: select() on the terminal. */
    static final String INTERACTIVE_PROMPT = "poll_schedule_timeout.constprop.0";
    static final int ALICE = 1000;
    private static final List<String> DAEMON_ENV = List.of("LANG=C.UTF-8",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

    private DemoUserland() {}

    static void start(Kernel k) {
        Task init = k.initTask();
        Task journald = daemon(k, init, Program.small("/usr/lib/systemd/systemd-journald", 2_400, 6_800, 2),
                List.of("/lib/systemd/systemd-journald"), Cred.ROOT);
        // "systemd-journald" is 16 bytes: comm keeps the first 15, as on every real system.
        k.setState(journald, TaskState.INTERRUPTIBLE, "do_epoll_wait");
        k.tick(Param.HZ / 5);

        daemon(k, init, Program.small("/usr/sbin/cron", 420, 2_300, 3), List.of("/usr/sbin/cron", "-f"), Cred.ROOT);

        Task rsyslogd = daemon(k, init, Program.small("/usr/sbin/rsyslogd", 1_900, 3_600, 4),
                List.of("/usr/sbin/rsyslogd", "-n", "-iNONE"), Cred.ROOT);
        k.setState(rsyslogd, TaskState.INTERRUPTIBLE, "do_select");
        for (String name : List.of("in:imuxsock", "in:imklog", "rs:main Q:Reg")) {
            Task th = k.cloneThread(rsyslogd, name);
            k.setState(th, TaskState.INTERRUPTIBLE, name.startsWith("rs:") ? "futex_wait_queue" : "do_syslog");
        }
        k.tick(Param.HZ / 5);

        Task sshd = daemon(k, init, Program.small("/usr/sbin/sshd", 1_100, 6_500, 5),
                List.of("/usr/sbin/sshd", "-D"), Cred.ROOT);
        k.setCmdline(sshd, List.of("sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"));
        k.setState(sshd, TaskState.INTERRUPTIBLE, "do_sys_poll");

        Task getty = daemon(k, init, Program.small("/sbin/agetty", 320, 1_700, 6),
                List.of("/sbin/agetty", "-o", "-p -- \\u", "--noclear", "-", "linux"), Cred.ROOT);
        Tty tty1 = k.ttys().lookup("tty1");
        k.setControllingTty(getty, tty1);
        k.setState(getty, TaskState.INTERRUPTIBLE, "wait_woken");
        k.tick(Param.HZ / 2);

        login(k, sshd);

        // A service whose name a parser can trip on: spaces and a ')' inside the comm.
        Task odd = daemon(k, init, Program.small("/opt/demo/weird) (name", 800, 2_100, 9),
                List.of("/opt/demo/weird) (name", "--serve"), Cred.of(ALICE, ALICE));
        k.setState(odd, TaskState.INTERRUPTIBLE, "do_epoll_wait");
    }

    /** sshd accepts alice: a privileged monitor, her unprivileged session, and her shell. */
    private static void login(Kernel k, Task sshd) {
        Task priv = k.spawn(sshd, Program.small("/usr/sbin/sshd", 1_300, 6_600, 7),
                List.of("/usr/sbin/sshd", "-D", "-R"), DAEMON_ENV, Cred.ROOT);
        k.setsid(priv);
        k.setCmdline(priv, List.of("sshd: alice [priv]"));
        k.setState(priv, TaskState.INTERRUPTIBLE, "do_sys_poll");

        Cred alice = Cred.of(ALICE, ALICE).withGroups(List.of(24, 27, 100, ALICE));
        Task session = k.spawn(priv, Program.small("/usr/sbin/sshd", 900, 4_800, 7),
                List.of("/usr/sbin/sshd", "-D", "-R"), DAEMON_ENV, alice);
        k.setCmdline(session, List.of("sshd: alice@pts/0"));
        k.setState(session, TaskState.INTERRUPTIBLE, "do_sys_poll");

        List<String> env = List.of("USER=alice", "LOGNAME=alice", "HOME=/home/alice", "SHELL=/bin/bash",
                "TERM=xterm-256color", "SSH_TTY=/dev/pts/0", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin");
        Task bash = k.spawn(session, Program.small("/usr/bin/bash", 3_100, 4_200, 8), List.of("-bash"), env, alice);
        k.setsid(bash);
        Tty pts0 = k.ttys().lookup("pts/0");
        k.setControllingTty(bash, pts0);
        k.setCwd(bash, "/home/alice");
        k.setState(bash, TaskState.INTERRUPTIBLE, INTERACTIVE_PROMPT);
        k.tick(Param.HZ / 5);

        // A background job: its own process group, sleeping.
        Task sleep = k.spawn(bash, Program.small("/usr/bin/sleep", 80, 900, 10), List.of("sleep", "3600"), env, alice);
        k.setpgid(sleep, 0);
        k.setState(sleep, TaskState.INTERRUPTIBLE, "hrtimer_nanosleep");

        // The foreground job: a CPU-bound process that keeps one CPU busy.
        Task md5 = k.spawn(bash, Program.small("/usr/bin/md5sum", 96, 1_000, 11), List.of("md5sum", "/dev/zero"), env, alice);
        k.setpgid(md5, 0);
        pts0.setForegroundPgrp(md5.tgid());
        k.setUserPercent(md5, 70);
        k.setState(md5, TaskState.RUNNING, "");
        // bash waits for its foreground job (reporting a stop too) and, once it is reaped, goes
        // back to its prompt.
        k.wait.wait4Blocking(bash, md5.tgid(), true, INTERACTIVE_PROMPT);

        // An interactive bash ignores job-control stops and SIGTERM and handles SIGINT, SIGCHLD and
        // SIGWINCH (its jobs above were started with the default actions, as bash restores them).
        for (int sig : new int[] {Signum.SIGQUIT, Signum.SIGTERM, Signum.SIGTSTP, Signum.SIGTTIN, Signum.SIGTTOU}) {
            bash.sighand.set(sig, SighandStruct.Action.IGNORE);
        }
        for (int sig : new int[] {Signum.SIGHUP, Signum.SIGINT, Signum.SIGCHLD, Signum.SIGWINCH}) {
            bash.sighand.set(sig, SighandStruct.Action.CATCH);
        }
    }

    private static Task daemon(Kernel k, Task parent, Program p, List<String> argv, Cred cred) {
        Task t = k.spawn(parent, p, argv, DAEMON_ENV, cred);
        k.setsid(t);
        k.setState(t, TaskState.INTERRUPTIBLE, "do_epoll_wait");
        return t;
    }
}
