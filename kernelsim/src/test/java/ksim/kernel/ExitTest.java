package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ksim.mm.Program;
import org.junit.jupiter.api.Test;

/** kernel/exit.c: release_task frees the pid; forget_original_parent hands children to init. */
class ExitTest {

    @Test
    void exitReparentsChildrenToInitAndFreesThePid() {
        Kernel k = boot();
        Task master = PreforkPool.start(k, 3);
        List<Task> workers = new ArrayList<>(master.children());
        assertEquals(3, workers.size());
        int pid = master.pid();
        int threadsBefore = k.pids().nrThreads();
        k.exitAndRelease(master, 0);
        assertFalse(master.isAlive());
        assertEquals(TaskState.DEAD, master.state());
        assertNull(k.pids().find(pid), "pid freed");
        assertFalse(k.pids().leaders().contains(master));
        assertEquals(threadsBefore - 1, k.pids().nrThreads());
        assertFalse(k.initTask().children().contains(master));
        for (Task w : workers) {
            assertTrue(w.isAlive());
            assertSame(k.initTask(), w.realParent(), w.toString());
            assertSame(k.initTask(), w.parent(), w.toString());
            assertTrue(k.initTask().children().contains(w));
        }
        assertTrue(master.children().isEmpty());
    }

    @Test
    void exitOfAThreadGroupFreesEveryThreadPid() {
        Kernel k = boot();
        Task rs = byComm(k, "rsyslogd");
        List<Integer> tids = rs.signal().threads().stream().map(Task::pid).toList();
        assertEquals(4, tids.size());
        // Passing a non-leader thread ends the whole group, as exit_group does.
        k.exitAndRelease(rs.signal().threads().get(2), 3);
        for (int tid : tids) assertNull(k.pids().find(tid), "tid " + tid);
        assertEquals(3 << 8, rs.exitCode(), "exit_group(3) is exit code 3 << 8, as wait4 reports it");
        assertEquals(0, rs.signal().nrThreads());
    }

    @Test
    void reapedChildTimesGoToTheParentsCutime() {
        Kernel k = boot();
        Task master = PreforkPool.start(k, 1);
        Task w = master.children().get(0);
        Task th = k.cloneThread(w, "helper");
        k.setState(w, TaskState.RUNNING, "");
        k.setState(th, TaskState.RUNNING, "");
        k.tick(500);
        long u = w.signal().groupUtime();
        long s = w.signal().groupStime();
        assertTrue(u + s > 0);
        assertEquals(w.utime() + th.utime(), u);
        k.exitAndRelease(w, 0);
        assertEquals(u, master.signal().cutime());
        assertEquals(s, master.signal().cstime());
        assertEquals(0, k.initTask().signal().cutime(), "only the real parent gets the times");
    }

    @Test
    void exitReleasesMemoryExactly() {
        Kernel k = boot();
        long free = k.vmstat().freePages();
        long committed = k.vmstat().committedAs();
        long before = slabPages(k);
        Task t = TestKernels.spawnSmall(k, "short");
        k.cloneThread(t, "t2");
        assertTrue(k.vmstat().freePages() < free);
        k.exitAndRelease(t, 0);
        // SLUB may keep a slab it took meanwhile (a partial slab of a task cache): every other page comes back.
        assertEquals(free + before, k.vmstat().freePages() + slabPages(k));
        assertEquals(committed, k.vmstat().committedAs());
    }

    @Test
    void childrenOfANonLeaderThreadAreReparentedToo() {
        Kernel k = boot();
        Task rs = byComm(k, "rsyslogd");
        Task thread = rs.signal().threads().get(1);
        Task child = k.spawn(thread, Program.small("/usr/bin/logger", 80, 400, 3), List.of("logger"), List.of(), Cred.ROOT);
        assertSame(thread, child.realParent());
        k.exitAndRelease(rs, 0);
        assertTrue(child.isAlive());
        assertSame(k.initTask(), child.realParent(), "child of an exited thread must go to init");
        assertTrue(k.initTask().children().contains(child));
    }

    @Test
    void secondExitOfTheSameProcessChangesNothing() {
        Kernel k = boot();
        Task master = PreforkPool.start(k, 1);
        Task w = master.children().get(0);
        k.setState(w, TaskState.RUNNING, "");
        k.tick(100);
        k.exitAndRelease(w, 0);
        long free = k.vmstat().freePages();
        long cutime = master.signal().cutime() + master.signal().cstime();
        try {
            k.exitAndRelease(w, 0);
        } catch (KernelError expected) {
            // refusing is fine too
        }
        assertEquals(free, k.vmstat().freePages(), "memory released twice");
        assertEquals(cutime, master.signal().cutime() + master.signal().cstime(), "child times counted twice");
    }

    private static long slabPages(Kernel k) {
        return k.vmstat().get(ksim.mm.VmStat.Item.NR_SLAB_UNRECLAIMABLE) + k.vmstat().get(ksim.mm.VmStat.Item.NR_SLAB_RECLAIMABLE);
    }
}
