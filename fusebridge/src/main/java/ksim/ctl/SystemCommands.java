package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import ksim.kernel.Clock;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.Signum;
import ksim.kernel.Task;
import ksim.kernel.TaskState;

/** ps, show, count, tick, sysctl, ping, help: looking at the model and moving its clock. */
final class SystemCommands {
    private SystemCommands() {}

    /** Jiffies per hold of the kernel lock while ticking. */
    private static final int TICK_CHUNK = 1000;
    private static final List<String> PROCESS_COLUMNS = List.of("pid", "ppid", "state", "comm", "tgid", "pgid", "sid",
            "tty", "uid", "nice", "threads", "wchan");
    private static final List<String> THREAD_COLUMNS = List.of("pid", "tgid", "state", "comm", "ppid", "pgid", "sid",
            "tty", "uid", "nice", "threads", "wchan");

    static void register(Commands c) {
        c.add("ps", "ps [--threads] [--parent PID] [--state X] [--comm NAME] [--uid U] [PID...]   "
                        + "(rows pid:ppid:state:comm, with --threads tid:tgid:state:comm; JSON has every column)",
                Set.of("parent", "state", "comm", "uid"), Set.of("threads"), SystemCommands::ps);
        c.add("show", "show PID   (everything the model knows of one task)", Set.of(), Set.of(), SystemCommands::show);
        c.add("count", "count   (tasks by state, as top and /proc/stat count them)", Set.of(), Set.of(), SystemCommands::count);
        c.add("tick", "tick N   (advance a MANUAL clock by N jiffies)", Set.of(), Set.of(), SystemCommands::tick);
        c.add("sysctl", "sysctl NAME[=VALUE]   (kernel.pid_max, kernel.threads-max, kernel.hostname)",
                Set.of(), Set.of(), SystemCommands::sysctl);
        c.add("ping", "ping", Set.of(), Set.of(), (ctl, a) -> Reply.ok().put("pong", 1));
        c.add("help", "help [COMMAND]", Set.of(), Set.of(), SystemCommands::help);
    }

    private static Reply help(Ctl ctl, Args a) {
        a.atMost(1);
        Commands cmds = new Commands();
        if (a.positional().isEmpty()) {
            List<String> names = new ArrayList<>(cmds.names());
            names.add("json");
            return Reply.ok().put("commands", names);
        }
        String name = a.pos(0, "command");
        if (name.equals("json")) return Reply.ok().put("usage", "json on|off");
        return Reply.ok().put("usage", cmds.spec(name).usage());
    }

    private static List<Object> row(Task t, boolean threads) {
        var s = t.signal();
        Task l = t.groupLeader();
        int ppid = l.realParent() == null ? 0 : l.realParent().tgid();
        List<Object> r = new ArrayList<>(12);
        r.add(t.pid());
        r.add(threads ? t.tgid() : ppid);
        r.add(String.valueOf(t.state().letter));
        r.add(Ctl.comm(t));
        r.add(threads ? ppid : t.tgid());
        r.add(s.pgrp());
        r.add(s.session());
        r.add(s.tty() == null ? "?" : s.tty().name());
        r.add(t.cred().euid());
        r.add(t.nice());
        r.add(s.nrThreads());
        r.add(t.wchan().isEmpty() ? "0" : t.wchan());
        return r;
    }

    private static Reply ps(Ctl ctl, Args a) {
        boolean threads = a.flag("threads");
        int parent = a.intValue("parent", 0, 0, Integer.MAX_VALUE);
        int uid = a.intValue("uid", -1, 0, Integer.MAX_VALUE);
        String state = a.value("state", null);
        if (state != null) Parse.state(state);
        String comm = a.value("comm", null);
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < a.positional().size(); i++) pids.add(a.pid(i));
        Reply r = Reply.ok();
        r.rows(threads ? "threads" : "tasks", threads ? THREAD_COLUMNS : PROCESS_COLUMNS, 4);
        List<List<Object>> rows = new ArrayList<>();
        int[] from = {1};
        Kernel k = ctl.kernel;
        while (from[0] > 0) {
            ctl.locked(() -> {
                int n = 0;
                Task t = threads ? k.pids().nextTask(from[0]) : k.pids().nextLeader(from[0]);
                while (t != null && n++ < 1024) {
                    if (matches(t, pids, parent, uid, state, comm)) rows.add(row(t, threads));
                    int next = t.pid() + 1;
                    t = threads ? k.pids().nextTask(next) : k.pids().nextLeader(next);
                }
                from[0] = t == null ? 0 : t.pid();
                return null;
            });
        }
        for (List<Object> row : rows) r.row(row);
        return r.put("count", rows.size());
    }

    private static boolean matches(Task t, List<Integer> pids, int parent, int uid, String state, String comm) {
        if (!pids.isEmpty() && !pids.contains(t.pid())) return false;
        Task rp = t.groupLeader().realParent();
        if (parent > 0 && (rp == null || rp.tgid() != parent)) return false;
        if (uid >= 0 && t.cred().euid() != uid) return false;
        if (state != null && t.state().letter != state.charAt(0)) return false;
        return comm == null || comm.equals(Ctl.comm(t));
    }

    private static Reply show(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            var s = t.signal();
            Task l = t.groupLeader();
            Reply r = Reply.ok();
            List<Object> cells = row(t, true);
            for (int i = 0; i < THREAD_COLUMNS.size(); i++) r.put(THREAD_COLUMNS.get(i), cells.get(i));
            r.put("gid", t.cred().egid());
            r.put("exit_code", t.exitCode());
            r.put("sigpnd", Signum.hex(t.pending().signal()));
            r.put("shdpnd", Signum.hex(s.sharedPending().signal()));
            r.put("sigblk", Signum.hex(t.blocked()));
            r.put("sigign", Signum.hex(t.sighand().ignored()));
            r.put("sigcgt", Signum.hex(t.sighand().caught()));
            r.put("tracer", t.tracer() == null ? 0 : t.tracer().tgid());
            r.put("subreaper", s.isChildSubreaper() ? 1 : 0);
            r.put("kthread", t.isKthread() ? 1 : 0);
            r.put("utime", Clock.nsecToClockT(t.utime()));
            r.put("stime", Clock.nsecToClockT(t.stime()));
            r.put("cutime", Clock.nsecToClockT(s.cutime()));
            r.put("cstime", Clock.nsecToClockT(s.cstime()));
            byte[] argv = l.mm() == null ? new byte[0] : l.mm().argv();
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < argv.length; i++) {
                if (argv[i] == 0) {
                    args.add(new String(argv, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            r.put("cmdline", String.join(" ", args));
            return r;
        });
    }

    private static Reply count(Ctl ctl, Args a) {
        a.atMost(0);
        return ctl.locked(() -> {
            Kernel k = ctl.kernel;
            int[] byState = new int[128];
            int processes = 0;
            for (Task t : k.pids().leaders()) {
                processes++;
                byState[t.state().letter]++;
            }
            Reply r = Reply.ok().put("processes", processes).put("threads", k.pids().nrThreads());
            for (TaskState st : TaskState.values()) r.put(String.valueOf(st.letter), byState[st.letter]);
            return r.put("procs_running", k.scheduler().nrRunning()).put("procs_blocked", k.scheduler().nrUninterruptible())
                    .put("last_pid", k.pids().lastPid()).put("forks", k.totalForks()).put("jiffies", k.clock().jiffies());
        });
    }

    private static Reply tick(Ctl ctl, Args a) {
        a.atMost(1);
        int n = a.posInt(0, "jiffies", 0, 1_000_000_000);
        Kernel k = ctl.kernel;
        if (k.clock().mode() != Clock.Mode.MANUAL) {
            throw Errno.EINVAL.error("tick: the clock follows wall time; start with --clock MANUAL to tick by hand");
        }
        ctl.batch((n + TICK_CHUNK - 1) / TICK_CHUNK, i -> k.tick(Math.min(TICK_CHUNK, n - (long) i * TICK_CHUNK)));
        return ctl.locked(() -> Reply.ok().put("jiffies", k.clock().jiffies())
                .put("uptime_ms", k.clock().boottimeNs() / 1_000_000));
    }

    private static Reply sysctl(Ctl ctl, Args a) {
        List<String> p = a.positional();
        if (p.isEmpty() || p.size() > 2) throw Errno.EINVAL.error("usage: sysctl NAME[=VALUE]");
        String name = p.get(0);
        String value = p.size() == 2 ? p.get(1) : null;
        int eq = name.indexOf('=');
        if (eq >= 0) {
            if (value != null) throw Errno.EINVAL.error("usage: sysctl NAME[=VALUE]");
            value = name.substring(eq + 1);
            name = name.substring(0, eq);
        }
        String key = name.replace('/', '.');
        String v = value;
        Kernel k = ctl.kernel;
        return ctl.locked(() -> {
            switch (key) {
                case "kernel.pid_max" -> {
                    if (v != null) k.pids().setPidMax(a.toInt(v, key, Integer.MIN_VALUE, Integer.MAX_VALUE));
                    return Reply.ok().put(key, k.pids().pidMax());
                }
                case "kernel.threads-max" -> {
                    if (v != null) k.setMaxThreads(a.toInt(v, key, Integer.MIN_VALUE, Integer.MAX_VALUE));
                    return Reply.ok().put(key, k.maxThreads());
                }
                case "kernel.hostname" -> {
                    if (v != null) k.setHostname(v);
                    return Reply.ok().put(key, k.utsname().nodename());
                }
                default -> throw Errno.ENOENT.error("sysctl: no " + key + " (kernel.pid_max, kernel.threads-max, kernel.hostname)");
            }
        });
    }
}
