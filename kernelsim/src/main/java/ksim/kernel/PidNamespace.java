package ksim.kernel;

import java.util.Collection;
import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * struct pid_namespace (include/linux/pid_namespace.h) with its idr: allocates pids
 * cyclically below pid_max like alloc_pid() in kernel/pid.c, wrapping to RESERVED_PIDS and
 * never handing out a pid still in use, and maps pids to tasks (find_task_by_pid_ns).
 */
public final class PidNamespace {
    private final NavigableMap<Integer, Task> tasks = new TreeMap<>();
    /** Thread-group leaders only: what readdir of /proc lists. */
    private final NavigableMap<Integer, Task> leaders = new TreeMap<>();
    private int pidMax;
    /** The idr cursor: the last pid handed out (what /proc/loadavg prints last). */
    private int lastPid;

    PidNamespace(int pidMax) {
        setPidMax(pidMax);
    }

    public int pidMax() { return pidMax; }
    public int lastPid() { return lastPid; }

    /** Writes /proc/sys/kernel/pid_max: the range is the one of kernel/pid.c's sysctl. */
    public void setPidMax(int value) {
        if (value < Param.RESERVED_PIDS + 1 || value > Param.PID_MAX_LIMIT) {
            throw Errno.EINVAL.error("pid_max must be between " + (Param.RESERVED_PIDS + 1) + " and " + Param.PID_MAX_LIMIT);
        }
        this.pidMax = value;
    }

    /** alloc_pid(): the next free pid after the cursor, wrapping to RESERVED_PIDS; EAGAIN when full. */
    int alloc() {
        int start = lastPid + 1;
        int candidate = start >= pidMax ? wrapStart() : start;
        int tried = 0;
        int span = pidMax;
        while (tasks.containsKey(candidate)) {
            candidate++;
            if (candidate >= pidMax) candidate = wrapStart();
            if (++tried >= span) throw Errno.EAGAIN.error("no free pid below pid_max " + pidMax);
        }
        lastPid = candidate;
        return candidate;
    }

    /**
     * How many more pids alloc() can hand out before it fails: the free pids between the
     * first one the cursor reaches and pid_max (pids below RESERVED_PIDS only before the
     * first wrap).
     */
    public int available() {
        int lo = lastPid == 0 ? 1 : Math.min(lastPid + 1, Param.RESERVED_PIDS);
        if (lo >= pidMax) return 0;
        return (pidMax - lo) - tasks.subMap(lo, true, pidMax, false).size();
    }

    private int wrapStart() {
        // Pids below RESERVED_PIDS are only handed out before the first wrap (boot-time tasks).
        return lastPid == 0 ? 1 : Param.RESERVED_PIDS;
    }

    void attach(Task t) {
        tasks.put(t.pid(), t);
        if (t.isGroupLeader()) leaders.put(t.pid(), t);
    }

    void detach(Task t) {
        tasks.remove(t.pid(), t);
        leaders.remove(t.pid(), t);
    }

    /** find_task_by_pid_ns(): any task, thread or leader. */
    public Task find(int pid) {
        return tasks.get(pid);
    }

    /** The first thread-group leader with tgid >= from, or null (next_tgid() in fs/proc/base.c). */
    public Task nextLeader(int from) {
        var e = leaders.ceilingEntry(from);
        return e == null ? null : e.getValue();
    }

    /** The first task, thread or leader, with pid >= from, or null. */
    public Task nextTask(int from) {
        var e = tasks.ceilingEntry(from);
        return e == null ? null : e.getValue();
    }

    public Collection<Task> allTasks() {
        return Collections.unmodifiableCollection(tasks.values());
    }

    public Collection<Task> leaders() {
        return Collections.unmodifiableCollection(leaders.values());
    }

    /** nr_threads: every task, threads included. */
    public int nrThreads() {
        return tasks.size();
    }
}
