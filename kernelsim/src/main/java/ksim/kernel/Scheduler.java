package ksim.kernel;

import java.util.SplittableRandom;

/**
 * The scheduler and its tick-based CPU accounting (kernel/sched/core.c scheduler_tick,
 * kernel/sched/cputime.c account_process_tick). Each CPU has a run queue; every tick each
 * CPU charges one jiffy to its current task (user, nice or system time) or to idle, and a
 * task that used up its slice yields to the next runnable one (an involuntary switch).
 * This is round-robin on per-CPU queues; weights and vruntime come with CFS.
 */
public final class Scheduler {
    private final RunQueue[] rqs;
    private final KernelCpustat[] stats;
    private final LoadAvg loadAvg = new LoadAvg();
    private final SplittableRandom rng;
    private int nrUninterruptible;
    /** Running tasks whose CPU time is spent outside the simulation (visitors): R, never queued. */
    private final java.util.Set<Task> elsewhere = new java.util.HashSet<>();

    Scheduler(int cpus, long seed) {
        rqs = new RunQueue[cpus];
        stats = new KernelCpustat[cpus];
        for (int i = 0; i < cpus; i++) {
            rqs[i] = new RunQueue(i);
            stats[i] = new KernelCpustat();
        }
        rng = new SplittableRandom(seed);
    }

    public int nrCpus() { return rqs.length; }
    public KernelCpustat cpustat(int cpu) { return stats[cpu]; }
    public LoadAvg loadAvg() { return loadAvg; }

    /** nr_running(): runnable tasks on all run queues. */
    public int nrRunning() {
        int n = elsewhere.size();
        for (RunQueue rq : rqs) n += rq.nrRunning();
        return n;
    }

    /** nr_iowait()-like count of tasks in uninterruptible sleep (procs_blocked). */
    public int nrUninterruptible() { return nrUninterruptible; }

    /** nr_context_switches(): the sum of every run queue's switches. */
    public long nrContextSwitches() {
        long n = 0;
        for (RunQueue rq : rqs) n += rq.nrSwitches;
        return n;
    }

    /** Moves a task to a new state, taking it off or putting it on a run queue. */
    void setState(Task t, TaskState next, String wchan) {
        TaskState prev = t.state;
        if (prev == next) {
            t.wchan = next == TaskState.RUNNING ? "" : wchan;
            return;
        }
        if (prev == TaskState.RUNNING && !elsewhere.remove(t)) dequeue(t, true);
        if (prev == TaskState.UNINTERRUPTIBLE) nrUninterruptible--;
        t.state = next;
        t.wchan = next == TaskState.RUNNING ? "" : wchan;
        if (next == TaskState.UNINTERRUPTIBLE) nrUninterruptible++;
        if (next == TaskState.RUNNING) enqueue(t);
    }

    /** Marks a task running on a host CPU: R, counted, but never given simulated ticks. */
    void setRunningElsewhere(Task t) {
        setState(t, TaskState.INTERRUPTIBLE, "");
        t.state = TaskState.RUNNING;
        t.wchan = "";
        elsewhere.add(t);
    }

    /** select_task_rq(): the least loaded CPU, lowest number first. */
    private void enqueue(Task t) {
        RunQueue best = rqs[0];
        for (RunQueue rq : rqs) if (rq.nrRunning() < best.nrRunning()) best = rq;
        t.cpu = best.cpu;
        best.queue.addLast(t);
    }

    private void dequeue(Task t, boolean voluntary) {
        RunQueue rq = rqs[t.cpu];
        if (rq.curr == t) {
            rq.curr = null;
            rq.nrSwitches++;
            if (voluntary) t.nvcsw++;
        } else {
            rq.queue.remove(t);
        }
    }

    /** scheduler_tick() on every CPU, then the global load average. */
    void tick(long jiffies) {
        for (RunQueue rq : rqs) tickCpu(rq);
        loadAvg.tick(jiffies, nrRunning() + nrUninterruptible);
    }

    private void tickCpu(RunQueue rq) {
        KernelCpustat st = stats[rq.cpu];
        st.timerIrqs++;
        st.softirqs[KernelCpustat.TIMER_SOFTIRQ]++;
        if (rq.curr == null && !rq.queue.isEmpty()) switchTo(rq, rq.queue.pollFirst());
        Task curr = rq.curr;
        if (curr == null) {
            st.cpustat[KernelCpustat.IDLE] += Param.TICK_NSEC;
            return;
        }
        accountProcessTick(curr, st);
        if (--rq.sliceLeft <= 0 && !rq.queue.isEmpty()) {
            curr.nivcsw++;
            rq.queue.addLast(curr);
            switchTo(rq, rq.queue.pollFirst());
        } else if (rq.sliceLeft <= 0) {
            rq.sliceLeft = Param.SCHED_SLICE_TICKS;
        }
    }

    private void switchTo(RunQueue rq, Task next) {
        rq.curr = next;
        rq.sliceLeft = Param.SCHED_SLICE_TICKS;
        rq.nrSwitches++;
        next.cpu = rq.cpu;
    }

    /** account_process_tick(): a whole jiffy to user (nice if positive nice) or system time. */
    private void accountProcessTick(Task t, KernelCpustat st) {
        boolean user = !t.isKthread() && rng.nextInt(100) < t.userPercent;
        if (user) {
            t.utime += Param.TICK_NSEC;
            st.cpustat[t.nice() > 0 ? KernelCpustat.NICE : KernelCpustat.USER] += Param.TICK_NSEC;
        } else {
            t.stime += Param.TICK_NSEC;
            st.cpustat[KernelCpustat.SYSTEM] += Param.TICK_NSEC;
        }
    }

    /** True if the task is the one on its CPU right now (task_curr()). */
    public boolean isOnCpu(Task t) {
        return rqs[t.cpu].curr == t;
    }
}
