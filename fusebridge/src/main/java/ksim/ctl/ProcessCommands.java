package ksim.ctl;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import ksim.kernel.Cred;
import ksim.kernel.Errno;
import ksim.kernel.Signum;
import ksim.kernel.Syscalls;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import ksim.mm.Program;

/** spawn, fork, clone, clone-thread, exec, exit, subreaper: making and ending processes. */
final class ProcessCommands {
    private ProcessCommands() {}

    /** Resident sizes of a spawned program unless --rss-kb says otherwise (KiB, anon:file). */
    private static final int DEFAULT_ANON_KB = 64;
    private static final int DEFAULT_FILE_KB = 256;
    private static final List<String> DEFAULT_ENV = List.of("PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8");

    static void register(Commands c) {
        c.add("spawn", "spawn [--count N] [--parent PID] [--uid U[:G]] [--comm NAME] [--exe PATH] [--argv \"A B\"] "
                        + "[--env \"K=V ...\"] [--threads N] [--rss-kb ANON[:FILE]] [--state R|S|D|T|t|Z] [--wchan W] [--] [ARGV...]",
                Set.of("count", "parent", "uid", "comm", "exe", "argv", "env", "threads", "rss-kb", "state", "wchan"), Set.of(),
                ProcessCommands::spawn);
        c.add("fork", "fork PID [--count N] [--state R|S|D|T|t|Z] [--wchan W]",
                Set.of("count", "state", "wchan"), Set.of(), ProcessCommands::fork);
        c.add("clone", "clone PID --flags VM,FS,FILES,SIGHAND,THREAD,PARENT [--comm NAME]",
                Set.of("flags", "comm"), Set.of(), ProcessCommands::cloneCmd);
        c.add("clone-thread", "clone-thread PID [--comm NAME] [--count N] [--state R|S|D] [--wchan W]",
                Set.of("comm", "count", "state", "wchan"), Set.of(), ProcessCommands::cloneThread);
        c.add("exec", "exec PID [--exe PATH] [--argv \"A B\"] [--env \"K=V ...\"] [--comm NAME] [--rss-kb ANON[:FILE]] [--] [ARGV...]",
                Set.of("exe", "argv", "env", "comm", "rss-kb"), Set.of(), ProcessCommands::exec);
        c.add("exit", "exit PID [STATUS] [--thread]", Set.of(), Set.of("thread"), ProcessCommands::exit);
        c.add("subreaper", "subreaper PID on|off", Set.of(), Set.of(), ProcessCommands::subreaper);
    }

    /** What a new task does after its creation (--state, --wchan); validated before anything is made. */
    record Start(String letter, String wchan) {
        static Start of(Args a, String dflt, String allowed) {
            String s = a.value("state", dflt);
            if (s.length() != 1 || allowed.indexOf(s.charAt(0)) < 0) {
                throw Errno.EINVAL.error(a.command() + ": --state must be one of " + String.join("|", allowed.split("")) + ", not " + s);
            }
            return new Start(s, a.value("wchan", null));
        }

        void apply(Ctl ctl, Task t) {
            switch (letter) {
                case "R", "S", "D" -> {
                    TaskState st = Parse.state(letter);
                    ctl.sys.setState(t, st, wchan != null ? wchan : Parse.defaultWchan(st));
                }
                case "T" -> ctl.sys.kill(t, Signum.SIGSTOP);
                case "t" -> ctl.sys.ptraceAttach(t, t.realParent());
                case "Z" -> ctl.sys.exitGroup(t, 0);
                default -> { } // "-": as it was created
            }
        }
    }

    /** argv from --argv or from the positional words after skip; not both. */
    private static List<String> argv(Args a, int skip) {
        List<String> rest = a.positional().subList(Math.min(skip, a.positional().size()), a.positional().size());
        if (a.has("argv") && !rest.isEmpty()) throw Errno.EINVAL.error(a.command() + ": give the arguments with --argv or after the options, not both");
        return a.has("argv") ? Parse.list(a.value("argv", "")) : new ArrayList<>(rest);
    }

    private static String exe(Args a, List<String> argv, String comm) {
        String exe = a.value("exe", null);
        if (exe == null) {
            String name = !argv.isEmpty() && !argv.get(0).isEmpty() ? argv.get(0) : comm;
            if (name == null) throw Errno.EINVAL.error(a.command() + ": which program? give --exe, --argv, ARGV or --comm");
            exe = name.contains("/") ? name : "/usr/bin/" + name;
        }
        if (!exe.startsWith("/") || exe.endsWith("/")) throw Errno.EINVAL.error(a.command() + ": --exe must be an absolute file path, not " + exe);
        return exe;
    }

    private static Program program(Args a, String exe) {
        int anon = DEFAULT_ANON_KB;
        int file = DEFAULT_FILE_KB;
        if (a.has("rss-kb")) {
            String[] p = a.value("rss-kb", "").split(":", -1);
            if (p.length > 2) throw Errno.EINVAL.error(a.command() + ": --rss-kb is ANON or ANON:FILE");
            anon = roundPage(a.toInt(p[0], "--rss-kb", 0, 1 << 24));
            file = p.length == 2 ? roundPage(a.toInt(p[1], "--rss-kb", 0, 1 << 24)) : 0;
        }
        // Different programs get different randomised bases.
        long seed = Integer.toUnsignedLong(exe.hashCode()) % 4096;
        return Program.small(exe, anon, file, seed);
    }

    private static int roundPage(int kb) {
        return (kb + 3) / 4 * 4;
    }

    private static List<String> env(Args a) {
        return a.has("env") ? Parse.list(a.value("env", "")) : DEFAULT_ENV;
    }

    /** EAGAIN before anything is made if n more tasks would pass threads-max or run out of pids. */
    static void checkRoom(Ctl ctl, String cmd, long n) {
        ctl.locked(() -> {
            var k = ctl.kernel;
            if (k.pids().nrThreads() + n > k.maxThreads()) {
                throw Errno.EAGAIN.error(cmd + ": " + n + " more tasks would pass threads-max (" + k.maxThreads() + ", "
                        + k.pids().nrThreads() + " exist)");
            }
            if (k.pids().available() < n) {
                throw Errno.EAGAIN.error(cmd + ": only " + k.pids().available() + " pids left below pid_max " + k.pids().pidMax());
            }
            return null;
        });
    }

    /** The ids of a batch: the first, the last, how many. */
    private static final class Made {
        int first;
        int last;
        int count;
        Task only;

        void add(Task t) {
            if (count == 0) first = t.pid();
            last = t.pid();
            count++;
            only = count == 1 ? t : null;
        }

        /** Runs a batch; a failure after some tasks were made says how many. */
        void run(Ctl ctl, int n, java.util.function.IntConsumer body) {
            try {
                ctl.batch(n, body);
            } catch (ksim.kernel.KernelError e) {
                if (count == 0) throw e;
                throw e.errno().error(e.getMessage().substring(e.errno().name().length() + 2)
                        + " (after " + count + " of " + n + " were made, pids " + first + ".." + last + ")");
            }
        }

        Reply reply(Ctl ctl, String idKey) {
            Reply r = Reply.ok().put(idKey, first);
            if (only != null) return r.put("state", ctl.locked(() -> Ctl.state(only)));
            return r.put("count", count).put("last", last);
        }
    }

    private static Reply spawn(Ctl ctl, Args a) {
        int count = a.intValue("count", 1, 1, 10_000_000);
        int threads = a.intValue("threads", 1, 1, 100_000);
        int parentPid = a.intValue("parent", 1, 1, Integer.MAX_VALUE);
        String comm = a.value("comm", null);
        List<String> argv = argv(a, 0);
        if (argv.isEmpty() && comm != null) argv.add(comm);
        String exe = exe(a, argv, comm);
        if (argv.isEmpty()) argv.add(exe);
        Program program = program(a, exe);
        List<String> envp = env(a);
        Start start = Start.of(a, "S", "RSDTtZ");
        Cred cred = a.has("uid") ? Parse.cred(a.value("uid", "")) : null;
        byte[] commBytes = comm == null ? null : comm.getBytes(StandardCharsets.UTF_8);
        Task parent = ctl.locked(() -> ctl.sys.task(parentPid));
        checkRoom(ctl, "spawn", (long) count * threads);
        List<String> args = List.copyOf(argv);
        Made made = new Made();
        made.run(ctl, count, i -> {
            Task t = ctl.sys.spawn(parent, program, args, envp, cred != null ? cred : parent.cred());
            if (commBytes != null) ctl.kernel.setComm(t, commBytes);
            for (int j = 1; j < threads; j++) ctl.sys.cloneThread(t, comm);
            made.add(t);
            start.apply(ctl, t);
        });
        return made.reply(ctl, "pid");
    }

    private static Reply fork(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        int count = a.intValue("count", 1, 1, 10_000_000);
        Start start = Start.of(a, "-", "-RSDTtZ");
        Task parent = ctl.locked(() -> ctl.sys.task(pid));
        checkRoom(ctl, "fork", count);
        Made made = new Made();
        made.run(ctl, count, i -> {
            Task t = ctl.sys.fork(parent);
            made.add(t);
            start.apply(ctl, t);
        });
        return made.reply(ctl, "pid");
    }

    private static Reply cloneCmd(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        int flags = cloneFlags(a.value("flags", "0"));
        String comm = a.value("comm", null);
        return ctl.locked(() -> {
            Task t = ctl.sys.clone(ctl.sys.task(pid), flags, comm);
            return Reply.ok().put("pid", t.pid()).put("tgid", t.tgid()).put("state", Ctl.state(t));
        });
    }

    /** "VM,SIGHAND,THREAD" (with or without CLONE_, any case), or a number (0x... allowed). */
    static int cloneFlags(String s) {
        try {
            if (s.startsWith("0x") || s.startsWith("0X")) return (int) Long.parseLong(s.substring(2), 16);
            if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) return (int) Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw Errno.EINVAL.error("bad clone flags " + s);
        }
        int flags = 0;
        for (String f : s.split(",")) {
            String n = f.toUpperCase(Locale.ROOT);
            if (n.startsWith("CLONE_")) n = n.substring(6);
            flags |= switch (n) {
                case "VM" -> Syscalls.CLONE_VM;
                case "FS" -> Syscalls.CLONE_FS;
                case "FILES" -> Syscalls.CLONE_FILES;
                case "SIGHAND" -> Syscalls.CLONE_SIGHAND;
                case "THREAD" -> Syscalls.CLONE_THREAD;
                case "PARENT" -> Syscalls.CLONE_PARENT;
                case "", "0" -> 0;
                default -> throw Errno.EINVAL.error("unknown clone flag " + f);
            };
        }
        return flags;
    }

    private static Reply cloneThread(Ctl ctl, Args a) {
        a.atMost(1);
        int pid = a.pid(0);
        int count = a.intValue("count", 1, 1, 1_000_000);
        String comm = a.value("comm", null);
        Start start = Start.of(a, "-", "-RSD");
        Task leader = ctl.locked(() -> ctl.sys.task(pid));
        checkRoom(ctl, "clone-thread", count);
        Made made = new Made();
        made.run(ctl, count, i -> {
            Task t = ctl.sys.cloneThread(leader, comm);
            made.add(t);
            start.apply(ctl, t);
        });
        Reply r = made.reply(ctl, "tid");
        return r.put("pid", leader.tgid());
    }

    private static Reply exec(Ctl ctl, Args a) {
        int pid = a.pid(0);
        List<String> argv = argv(a, 1);
        if (argv.isEmpty() && !a.has("exe")) throw Errno.EINVAL.error("exec: which program? give ARGV, --argv or --exe");
        String exe = exe(a, argv, null);
        Program program = program(a, exe);
        List<String> envp = env(a);
        String comm = a.value("comm", null);
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.execve(t, program, argv, envp);
            if (comm != null) ctl.kernel.setComm(t.groupLeader(), comm.getBytes(StandardCharsets.UTF_8));
            return Reply.ok().put("pid", t.tgid()).put("comm", Ctl.comm(t.groupLeader()));
        });
    }

    private static Reply exit(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        int status = a.positional().size() > 1 ? a.posInt(1, "status", Integer.MIN_VALUE, Integer.MAX_VALUE) : 0;
        boolean thread = a.flag("thread");
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            if (thread) ctl.sys.exitThread(t, status);
            else ctl.sys.exitGroup(t, status);
            Task leader = t.groupLeader();
            return Reply.ok().put("pid", pid).put("state", Ctl.state(thread ? t : leader))
                    .put("exit_code", (status & 0xff) << 8);
        });
    }

    private static Reply subreaper(Ctl ctl, Args a) {
        a.atMost(2);
        int pid = a.pid(0);
        boolean on = Parse.onOff(a.pos(1, "on|off"));
        return ctl.locked(() -> {
            Task t = ctl.sys.task(pid);
            ctl.sys.setChildSubreaper(t, on);
            return Reply.ok().put("pid", t.tgid()).put("subreaper", on ? 1 : 0);
        });
    }
}
