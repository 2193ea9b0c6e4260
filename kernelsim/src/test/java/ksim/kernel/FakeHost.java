package ksim.kernel;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A scripted host: the threads it knows and which processes are still alive. */
final class FakeHost implements Visitors.HostProbe {
    final Map<Integer, Visitors.HostThread> threads = new HashMap<>();
    final Set<Integer> alive = new HashSet<>();
    int describeCalls;

    /** Adds a host thread (tid == tgid for the main thread) of a process named comm. */
    Visitors.HostThread add(int tid, int tgid, long start, String comm, String threadComm) {
        Visitors.HostThread h = new Visitors.HostThread(tid, tgid, start, comm, threadComm,
                List.of("/usr/bin/" + comm, "--flag"), "/usr/bin/" + comm, "/home/bob", 1001, 1002, 10_000, 3_000);
        threads.put(tid, h);
        alive.add(tgid);
        return h;
    }

    void exit(int tgid) {
        alive.remove(tgid);
        threads.values().removeIf(h -> h.tgid() == tgid);
    }

    @Override
    public Visitors.HostThread describe(int hostTid) {
        describeCalls++;
        return threads.get(hostTid);
    }

    @Override
    public boolean alive(int hostTgid, long startTicks) {
        Visitors.HostThread h = threads.get(hostTgid);
        return alive.contains(hostTgid) && (h == null || h.startTicks() == startTicks);
    }
}
