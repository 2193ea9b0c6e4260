package ksim.fs.proc;

import static ksim.fs.proc.Proc.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ksim.fs.Caller;
import ksim.kernel.Errno;
import ksim.kernel.Task;
import ksim.kernel.Visitors;
import org.junit.jupiter.api.Test;

/** /proc/self and /proc/thread-self name the caller's visitor task. */
class ProcSelfTest {
    private final Proc p = Proc.boot();

    /** A scripted host process 7000 with a second thread 7003. */
    private static final class Host implements Visitors.HostProbe {
        final Map<Integer, Visitors.HostThread> threads = new HashMap<>();
        final Set<Integer> alive = new HashSet<>();

        void add(int tid, int tgid, String comm) {
            threads.put(tid, new Visitors.HostThread(tid, tgid, 55, "ps", comm, List.of("ps", "aux"), "/usr/bin/ps",
                    "/tmp", 1000, 1000, 8000, 2000));
            alive.add(tgid);
        }

        @Override
        public Visitors.HostThread describe(int hostTid) {
            return threads.get(hostTid);
        }

        @Override
        public boolean alive(int hostTgid, long startTicks) {
            return alive.contains(hostTgid);
        }
    }

    @Test
    void withoutAProbeSelfIsEnoent() {
        assertEquals(Errno.ENOENT, errnoOf(() -> p.readlink("/self", new Caller(7000, 0, 0))));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.readlink("/thread-self", new Caller(7000, 0, 0))));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.readlink("/self", Caller.KERNEL)));
    }

    @Test
    void aNewcomerLookingItselfUpByNumberFindsItsOwnTask() {
        Host host = new Host();
        host.add(7000, 7000, "killall");
        p.k.visitors().setProbe(host);
        int next = p.k.locked(() -> p.k.pids().lastPid() + 1);
        Caller killall = new Caller(7000, 0, 0);
        // stat("/proc/<getpid()>/stat") before any /proc/self: the lookup misses, the caller
        // gets its task, and the pid it asked for is now that task's (with-proc --stand-ins
        // gives the client that very pid in its namespace).
        p.walk("/" + next + "/stat", killall);
        assertEquals(String.valueOf(next), p.readlink("/self", killall));
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + (next + 50), killall)), "other misses stay misses");
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + (next + 1), Caller.KERNEL)), "in-process callers are nobody");
        assertEquals(1, p.k.locked(() -> p.k.visitors().count()));
    }

    @Test
    void selfAndThreadSelfResolveToTheVisitor() {
        Host host = new Host();
        host.add(7000, 7000, "ps");
        host.add(7003, 7000, "ps-reader");
        p.k.visitors().setProbe(host);

        Caller main = new Caller(7000, 1000, 1000);
        Caller second = new Caller(7003, 1000, 1000);
        String self = p.readlink("/self", main);
        Task v = p.k.pids().find(Integer.parseInt(self));
        assertTrue(p.k.visitors().isVisitor(v));
        assertTrue(v.isGroupLeader());
        assertEquals(v.pid() + "/task/" + v.pid(), p.readlink("/thread-self", main));

        assertEquals(self, p.readlink("/self", second), "every thread of the host process has the same self");
        String ts = p.readlink("/thread-self", second);
        assertTrue(ts.startsWith(self + "/task/"), ts);
        int tid = Integer.parseInt(ts.substring(ts.lastIndexOf('/') + 1));
        Task t = p.k.pids().find(tid);
        assertEquals(v.pid(), t.tgid());
        assertFalse(t.isGroupLeader());

        // What the client then reads through the link.
        assertTrue(p.read("/" + self + "/stat").startsWith(self + " (ps) R 1 "), "a running child of init");
        assertEquals("ps-reader", p.field("/" + ts + "/status", "Name"));
        assertEquals("1000\t1000\t1000\t1000", p.field("/" + self + "/status", "Uid"));
        assertEquals("2", p.field("/" + self + "/status", "Threads"));
        assertEquals("/tmp", p.readlink("/" + self + "/cwd", main));
        assertEquals("ps\0aux\0", p.read("/" + self + "/cmdline"));
        assertTrue(p.list("/").contains(self), "ps finds itself");
        assertEquals(Errno.ENOENT, errnoOf(() -> p.readlink("/self", new Caller(9999, 0, 0))), "unknown host thread");
    }

    @Test
    void rootReaddirSweepsVisitorsThatLeft() {
        Host host = new Host();
        host.add(7000, 7000, "ps");
        p.k.visitors().setProbe(host);
        String self = p.readlink("/self", new Caller(7000, 0, 0));
        assertTrue(p.list("/").contains(self));
        host.alive.clear();
        host.threads.clear();
        assertFalse(p.list("/").contains(self), "the readdir sweeps first");
        assertEquals(Errno.ENOENT, errnoOf(() -> p.walk("/" + self)));
        assertEquals(0, p.k.visitors().count());
    }
}
