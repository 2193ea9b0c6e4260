package ksim.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ksim.mm.Program;

/**
 * Host processes that look at the simulated kernel. A tool reading the mounted /proc must
 * find a directory for itself there (procps dies without /proc/self), so each host process
 * that asks who it is gets a task of its own: a "visitor", child of init, carrying the host
 * process's name, command line and owner. Its threads get thread tasks. Visitors leave when
 * their host process does; they are never scheduled, as their CPU time is the host's.
 */
public final class Visitors {
    /** What the host says about one of its threads and the process it belongs to. */
    public record HostThread(int tid, int tgid, long startTicks, String processComm, String threadComm,
                             List<String> cmdline, String exe, String cwd, int uid, int gid,
                             long vmSizeKb, long rssKb) {}

    /** Reads the host's view of its processes (the real /proc). */
    public interface HostProbe {
        /** The thread and its process, or null if the host has no such thread. */
        HostThread describe(int hostTid);

        /** True while the host process that started at startTicks is alive. */
        boolean alive(int hostTgid, long startTicks);
    }

    private record Visit(Task leader, HostThread host, Map<Integer, Task> threads) {}

    private final Kernel k;
    private HostProbe probe;
    private final Map<Integer, Visit> byHostTgid = new HashMap<>();
    private final Map<Integer, Visit> byHostTid = new HashMap<>();
    private final Map<Task, Visit> byTask = new HashMap<>();

    Visitors(Kernel k) {
        this.k = k;
    }

    /** Installs the probe; without one, callers are never given a task. */
    public void setProbe(HostProbe probe) {
        this.probe = probe;
    }

    /**
     * `current` for a request from host thread hostTid: its visitor thread task, created on
     * first sight. Null if the host does not know that thread (it already exited).
     */
    public Task current(int hostTid) {
        Visit v = byHostTid.get(hostTid);
        if (v != null) return v.threads.get(hostTid);
        if (probe == null) return null;
        HostThread h = probe.describe(hostTid);
        if (h == null) return null;
        v = byHostTgid.get(h.tgid());
        if (v != null && v.host.startTicks() != h.startTicks()) {
            leave(v);
            v = null;
        }
        if (v == null) {
            // Visitors of host processes that have exited leave before a new one counts itself:
            // a client that reads /proc/stat or /proc/loadavg without listing /proc must not see
            // the clients before it as running tasks.
            sweep();
            v = arrive(h);
        }
        Task t = v.threads.get(hostTid);
        if (t == null) {
            t = k.cloneThread(v.leader, h.threadComm());
            k.sched.setRunningElsewhere(t);
            v.threads.put(hostTid, t);
            byTask.put(t, v);
        }
        byHostTid.put(hostTid, v);
        return t;
    }

    private Visit arrive(HostThread h) {
        Program image = new Program(h.exe() == null ? "/" + h.processComm() : h.exe(),
                40, 16, 0, 0, 132, pages(h.vmSizeKb()), pages(Math.min(h.rssKb(), h.vmSizeKb())), 0, 0, 0);
        List<String> argv = h.cmdline().isEmpty() ? List.of(h.processComm()) : h.cmdline();
        Task leader = k.spawn(k.initTask(), image, argv, List.of(), new Cred(h.uid(), h.uid(), h.uid(), h.uid(),
                h.gid(), h.gid(), h.gid(), h.gid(), List.of()));
        k.setComm(leader, h.processComm().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        if (h.cwd() != null) k.setCwd(leader, h.cwd());
        k.sched.setRunningElsewhere(leader);
        Visit v = new Visit(leader, h, new HashMap<>());
        v.threads.put(h.tgid(), leader);
        byHostTgid.put(h.tgid(), v);
        byTask.put(leader, v);
        return v;
    }

    /** Rounds a host size in KiB down to the whole pages a Program wants, past its fixed parts. */
    private static int pages(long kb) {
        long rest = Math.max(0, kb - 40 - 16 - 132);
        return (int) Math.min(Integer.MAX_VALUE - 3, rest - rest % 4);
    }

    /** Removes visitors whose host process has exited. Cheap: one probe per visitor. */
    public void sweep() {
        if (probe == null) return;
        for (Visit v : new ArrayList<>(byHostTgid.values())) {
            if (!probe.alive(v.host.tgid(), v.host.startTicks())) leave(v);
        }
    }

    private void leave(Visit v) {
        byHostTgid.remove(v.host.tgid());
        for (var e : v.threads.entrySet()) {
            byHostTid.remove(e.getKey(), v);
            byTask.remove(e.getValue());
        }
        if (v.leader.isAlive()) k.exitAndRelease(v.leader, 0);
    }

    public boolean isVisitor(Task t) {
        return byTask.containsKey(t);
    }

    public int count() {
        return byHostTgid.size();
    }
}
