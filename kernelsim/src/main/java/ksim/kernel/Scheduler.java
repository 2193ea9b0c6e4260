package ksim.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import ksim.kernel.sched.SchedTunables;

/**
 * The scheduler core (kernel/sched/core.c: try_to_wake_up, __schedule, scheduler_tick) over
 * per-CPU run queues with a real-time class ahead of the fair class (kernel/sched/fair.c:
 * vruntime, place_entity, leftmost pick, preemption at the tick and at wakeup). Time runs in
 * ns of the simulated clock: a tick simulates one jiffy of every CPU, in which timers wake
 * tasks at seeded instants and woken tasks run their bursts and sleep again, then charges the
 * jiffy to whatever each CPU runs at its end (account_process_tick), so per-task utime/stime
 * and the cpu lines of /proc/stat are the same samples. Every cost is per running task or
 * expired timer, times log n: sleeping tasks are never visited.
 */
public final class Scheduler {
    /** Periodic load balancing runs every this many jiffies (a busy domain's interval). */
    static final int BALANCE_INTERVAL = 8;

    private final RunQueue[] rqs;
    private final KernelCpustat[] stats;
    private final LoadAvg loadAvg = new LoadAvg();
    /** Seeded draws: the user/system split of ticks, and the instants and bursts of wakes. */
    private final SplittableRandom rng;
    private final SplittableRandom wakeRng;
    private final SleepTimers timers = new SleepTimers();
    private final LoadBalance balance;
    final long baseSlice;
    final long latency;
    final long wakeupGranularity;
    private int nrUninterruptible;
    /** Running tasks whose CPU time is spent outside the simulation (visitors): R, never queued. */
    private final java.util.Set<Task> elsewhere = new java.util.HashSet<>();
    /** The clock of every run queue (rq_clock), ns since boot. */
    private long now;
    /** Switches of tasks already released: they stay in rq->nr_switches. */
    private long releasedSwitches;

    Scheduler(int cpus, long seed) {
        rqs = new RunQueue[cpus];
        stats = new KernelCpustat[cpus];
        for (int i = 0; i < cpus; i++) {
            rqs[i] = new RunQueue(i);
            stats[i] = new KernelCpustat();
        }
        rng = new SplittableRandom(seed);
        wakeRng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        baseSlice = SchedTunables.baseSlice(cpus);
        latency = SchedTunables.latency(cpus);
        wakeupGranularity = SchedTunables.wakeupGranularity(cpus);
        balance = new LoadBalance(this, rqs);
    }

    public int nrCpus() { return rqs.length; }
    public KernelCpustat cpustat(int cpu) { return stats[cpu]; }
    public LoadAvg loadAvg() { return loadAvg; }
    /** sysctl_sched_base_slice: the slice of a fair task. */
    public long baseSlice() { return baseSlice; }
    /** rq_clock(): the scheduler's time, ns since boot. */
    public long clockNs() { return now; }
    /** The idle task of a CPU: its switches (all involuntary) and the time it held the CPU. */
    public long idleSwitches(int cpu) { return rqs[cpu].idleSwitches; }
    public long idleTimeNs(int cpu) {
        RunQueue rq = rqs[cpu];
        return rq.idleTime + (rq.curr == null ? now - rq.idleSince : 0);
    }
    /** Context switches of tasks already released, which rq->nr_switches still counts. */
    public long releasedSwitches() { return releasedSwitches; }
    /** nr_running of one CPU. */
    public int nrRunning(int cpu) { return rqs[cpu].nrRunning(); }
    /** The task on a CPU now, or null for its idle task. */
    public Task curr(int cpu) { return rqs[cpu].curr; }

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

    /** True if the task is the one on its CPU right now (task_curr()). */
    public boolean isOnCpu(Task t) {
        return rqs[t.cpu].curr == t;
    }

    /** The slice a fair task gets (se->slice, set at fork to the base slice). */
    public long slice(Task t) {
        return t.se.slice != 0 ? t.se.slice : baseSlice;
    }

    static boolean isRt(Task t) {
        return t.policy == Task.SCHED_FIFO || t.policy == Task.SCHED_RR;
    }

    // ---- state changes from the rest of the kernel ----------------------------------------

    /** Moves a task to a new state, taking it off or putting it on a run queue. */
    void setState(Task t, TaskState next, String wchan) {
        TaskState prev = t.state;
        if (prev == next) {
            t.wchan = next == TaskState.RUNNING ? "" : wchan;
            return;
        }
        SchedEntity se = t.se;
        se.burstLeft = 0;
        timers.cancel(se);
        if (prev == TaskState.RUNNING && !elsewhere.remove(t)) deactivate(t);
        if (prev == TaskState.UNINTERRUPTIBLE) nrUninterruptible--;
        t.state = next;
        t.wchan = next == TaskState.RUNNING ? "" : wchan;
        if (next == TaskState.UNINTERRUPTIBLE) nrUninterruptible++;
        if (next == TaskState.DEAD) releasedSwitches += t.nvcsw + t.nivcsw;
        if (next == TaskState.RUNNING) activate(t);
        else armRhythm(t);
    }

    /** Marks a task running on a host CPU: R, counted, but never given simulated ticks. */
    void setRunningElsewhere(Task t) {
        setState(t, TaskState.INTERRUPTIBLE, "");
        timers.cancel(t.se);
        t.state = TaskState.RUNNING;
        t.wchan = "";
        elsewhere.add(t);
    }

    /** kthread_bind(): the task runs only on cpu from now on (-1: anywhere again). */
    void bind(Task t, int cpu) {
        SchedEntity se = t.se;
        if (cpu < 0) {
            se.boundCpu = -1;
            return;
        }
        if (se.onRq && t.cpu != cpu) {
            throw Errno.EBUSY.error("bind a task while it sleeps");
        }
        se.boundCpu = cpu;
        t.cpu = cpu;
    }

    /** Gives a task a rhythm of its own: while it sleeps in S or I, its timer wakes it. */
    void setRhythm(Task t, KthreadRhythm r) {
        t.se.rhythm = r;
        armRhythm(t);
    }

    private void armRhythm(Task t) {
        SchedEntity se = t.se;
        if (se.rhythm == null || (t.state != TaskState.INTERRUPTIBLE && t.state != TaskState.IDLE)) return;
        se.sleepState = t.state;
        se.sleepWchan = t.wchan;
        timers.arm(se, now / Param.TICK_NSEC + se.rhythm.nextDelay(wakeRng));
    }

    /** set_user_nice(): a queued task's weight changes where it stands. */
    void reweight(Task t) {
        SchedEntity se = t.se;
        if (!se.onRq || isRt(t)) {
            se.setLoad(t.nice());
            return;
        }
        RunQueue rq = rqs[t.cpu];
        if (rq.curr == t) updateCurr(rq);
        rq.cfs.load -= se.weight;
        se.setLoad(t.nice());
        rq.cfs.load += se.weight;
    }

    /**
     * __sched_setscheduler(): the task leaves its queue, changes class, and comes back; if it
     * was running it competes again at once (a change of class is no switch of its own).
     */
    void changePolicy(Task t, Runnable change) {
        SchedEntity se = t.se;
        if (!se.onRq) {
            change.run();
            return;
        }
        RunQueue rq = rqs[t.cpu];
        boolean wasCurr = rq.curr == t;
        if (wasCurr) putPrev(rq);
        dequeueQueued(rq, se);
        change.run();
        enqueue(rq, se, false);
        if (wasCurr) pickNext(rq, t, false);
        else checkPreemptWakeup(rq, t);
    }

    // ---- the tick ---------------------------------------------------------------------

    /** One jiffy of every CPU: wakes and bursts inside it, then scheduler_tick() at its end. */
    void tick(long jiffies) {
        long end = jiffies * Param.TICK_NSEC;
        long start = end - Param.TICK_NSEC;
        if (now < start) now = start;
        runInterval(timers.expire(jiffies), start, end);
        now = end;
        for (RunQueue rq : rqs) tickCpu(rq);
        if (jiffies % BALANCE_INTERVAL == 0) balance.periodic();
        loadAvg.tick(jiffies, nrRunning() + nrUninterruptible);
    }

    /**
     * The events inside one jiffy in time order: each expired timer wakes its task at a seeded
     * instant in the first half of the jiffy (the timer softirq), and a task on a CPU whose
     * burst ends sleeps again there.
     */
    private void runInterval(List<SchedEntity> due, long start, long end) {
        List<long[]> wakes = new ArrayList<>(due.size());
        for (int i = 0; i < due.size(); i++) wakes.add(new long[] {start + wakeRng.nextLong(Param.TICK_NSEC / 2), i});
        wakes.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int next = 0;
        while (true) {
            long tw = next < wakes.size() ? wakes.get(next)[0] : Long.MAX_VALUE;
            RunQueue burstRq = null;
            long tb = Long.MAX_VALUE;
            for (RunQueue rq : rqs) {
                Task c = rq.curr;
                if (c != null && c.se.burstLeft > 0 && c.se.execStart + c.se.burstLeft < tb) {
                    tb = c.se.execStart + c.se.burstLeft;
                    burstRq = rq;
                }
            }
            long t = Math.min(tw, tb);
            if (t > end) return;
            now = Math.max(now, t);
            if (tb <= tw) {
                endBurst(burstRq);
            } else {
                wakeByTimer(due.get((int) wakes.get(next)[1]));
                next++;
            }
        }
    }

    /** A timer fired: the task wakes for one burst (try_to_wake_up of a sleeping kthread). */
    private void wakeByTimer(SchedEntity se) {
        Task t = se.task;
        if (t.state != TaskState.INTERRUPTIBLE && t.state != TaskState.IDLE) return;
        se.sleepState = t.state;
        se.sleepWchan = t.wchan;
        t.state = TaskState.RUNNING;
        t.wchan = "";
        activate(t);
        se.burstLeft = se.rhythm.burst(wakeRng);
    }

    /** The burst is done: the task sleeps where it slept before, and its timer is armed again. */
    private void endBurst(RunQueue rq) {
        Task t = rq.curr;
        updateCurr(rq);
        t.se.burstLeft = 0;
        deactivate(t);
        t.state = t.se.sleepState;
        t.wchan = t.se.sleepWchan;
        armRhythm(t);
    }

    /** scheduler_tick() of one CPU: the sample, then the class's task_tick. */
    private void tickCpu(RunQueue rq) {
        KernelCpustat st = stats[rq.cpu];
        st.timerIrqs++;
        st.softirqs[KernelCpustat.TIMER_SOFTIRQ]++;
        updateCurr(rq);
        Task curr = rq.curr;
        if (curr == null) {
            st.cpustat[KernelCpustat.IDLE] += Param.TICK_NSEC;
            if (rq.nrRunning() > 0) pickNext(rq, null, false);
            return;
        }
        accountProcessTick(curr, st);
        SchedEntity se = curr.se;
        if (isRt(curr)) {
            // task_tick_rt(): SCHED_RR goes to the tail of its priority when its slice is used up.
            if (curr.policy == Task.SCHED_RR && se.rrSliceLeft <= 0) {
                se.rrSliceLeft = SchedTunables.RR_TIMESLICE_NS;
                if (rq.rt.size() > 0) {
                    rq.curr = null;
                    se.lastQueued = now;
                    rq.rt.insert(se, false);
                    pickNext(rq, curr, false);
                }
            }
            return;
        }
        // entity_tick(): load tracking, and a task past its slice yields to the leftmost.
        se.avg.update(now, se.weight, true, true);
        boolean others = rq.cfs.nrQueued() > 0 || rq.rt.size() > 0;
        if (others && se.sumExecRuntime - se.prevSumExecRuntime >= slice(curr)) {
            putPrev(rq);
            pickNext(rq, curr, false);
        }
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

    // ---- wakeup, sleep and the switch ---------------------------------------------------

    /** ttwu_do_activate() / wake_up_new_task(): choose a CPU, queue, maybe preempt. */
    private void activate(Task t) {
        SchedEntity se = t.se;
        boolean initial = se.initial;
        int cpu = balance.selectTaskRq(t, initial);
        if (!initial && cpu != t.cpu) {
            // set_task_cpu(): a migration; the vruntime moves to the new queue's frame.
            se.nrMigrations++;
            se.vruntime = se.vruntime - rqs[t.cpu].cfs.minVruntime + rqs[cpu].cfs.minVruntime;
        }
        t.cpu = cpu;
        RunQueue rq = rqs[cpu];
        enqueue(rq, se, true);
        checkPreemptWakeup(rq, t);
    }

    /** enqueue_task(): into its class's queue; a fair task is placed first when it wakes. */
    void enqueue(RunQueue rq, SchedEntity se, boolean wakeup) {
        Task t = se.task;
        boolean initial = se.initial;
        se.initial = false;
        se.setLoad(t.nice());
        if (se.slice == 0) se.slice = baseSlice;
        if (isRt(t)) {
            if (se.rrSliceLeft <= 0) se.rrSliceLeft = SchedTunables.RR_TIMESLICE_NS;
            rq.rt.insert(se, false);
        } else {
            updateCurr(rq);
            if (wakeup) rq.cfs.placeEntity(se, initial, latency);
            if (initial) se.avg.start(now);
            else se.avg.update(now, se.weight, false, false);
            rq.cfs.insert(se);
            rq.cfs.load += se.weight;
        }
        se.onRq = true;
        se.lastQueued = now;
    }

    /** dequeue of a queued (not running) task; its wait so far counts as run delay. */
    void dequeueQueued(RunQueue rq, SchedEntity se) {
        if (isRt(se.task)) {
            rq.rt.remove(se);
        } else {
            updateCurr(rq);
            rq.cfs.remove(se);
            rq.cfs.load -= se.weight;
            rq.cfs.updateMinVruntime();
        }
        se.runDelay += now - se.lastQueued;
        se.onRq = false;
    }

    /** deactivate_task(): a task stops being runnable; if it was on the CPU, that is a voluntary switch. */
    private void deactivate(Task t) {
        SchedEntity se = t.se;
        if (!se.onRq) return;
        RunQueue rq = rqs[t.cpu];
        if (rq.curr != t) {
            dequeueQueued(rq, se);
            return;
        }
        updateCurr(rq);
        if (!isRt(t)) {
            se.avg.update(now, se.weight, true, true);
            se.avg.utilEstUpdate();
            rq.cfs.curr = null;
            rq.cfs.load -= se.weight;
            rq.cfs.updateMinVruntime();
        }
        se.onRq = false;
        rq.curr = null;
        pickNext(rq, t, true);
    }

    /** check_preempt_curr(): a woken task takes the CPU from an idle, lower-class or far-ahead one. */
    void checkPreemptWakeup(RunQueue rq, Task p) {
        Task c = rq.curr;
        if (c == p) return;
        if (c == null) {
            pickNext(rq, null, false);
            return;
        }
        boolean preempt;
        if (isRt(p)) {
            preempt = !isRt(c) || p.prio() < c.prio();
        } else if (isRt(c)) {
            preempt = false;
        } else {
            updateCurr(rq);
            long vdiff = c.se.vruntime - p.se.vruntime;
            preempt = vdiff > p.se.calcDeltaFair(wakeupGranularity);
        }
        if (preempt) {
            putPrev(rq);
            pickNext(rq, c, false);
        }
    }

    /** put_prev_task(): the running task goes back to its queue (preempted). */
    private void putPrev(RunQueue rq) {
        Task p = rq.curr;
        SchedEntity se = p.se;
        updateCurr(rq);
        if (isRt(p)) {
            rq.rt.insert(se, true);
        } else {
            se.avg.update(now, se.weight, true, true);
            rq.cfs.curr = null;
            rq.cfs.insert(se);
        }
        se.lastQueued = now;
        rq.curr = null;
    }

    /**
     * pick_next_task() and context_switch(): the CPU is free (prev, if any, is queued again or
     * asleep); the best real-time task, else the leftmost fair one, else one pulled from the
     * busiest CPU (newidle balance), else idle. A switch to another task counts on the run
     * queue and on prev (voluntary if it slept) or on the idle task.
     */
    void pickNext(RunQueue rq, Task prev, boolean voluntary) {
        SchedEntity next = rq.rt.first();
        if (next == null) next = rq.cfs.leftmost();
        if (next == null && balance.pullOne(rq)) next = rq.cfs.leftmost();
        Task nt = next == null ? null : next.task;
        if (next != null) {
            if (isRt(nt)) rq.rt.remove(next);
            else rq.cfs.remove(next);
        }
        if (nt == prev) {
            if (nt != null) setCurr(rq, nt, false);
            return;
        }
        rq.nrSwitches++;
        if (prev == null) {
            rq.idleSwitches++;
            rq.idleTime += now - rq.idleSince;
        } else if (voluntary) {
            prev.nvcsw++;
        } else {
            prev.nivcsw++;
        }
        if (nt == null) {
            rq.curr = null;
            rq.idleSince = now;
        } else {
            setCurr(rq, nt, true);
        }
    }

    /** set_next_entity() and sched_info_arrive(). */
    private void setCurr(RunQueue rq, Task t, boolean arrived) {
        SchedEntity se = t.se;
        rq.curr = t;
        se.execStart = now;
        se.prevSumExecRuntime = se.sumExecRuntime;
        if (!isRt(t)) {
            rq.cfs.curr = se;
            se.avg.update(now, se.weight, true, false);
            rq.cfs.updateMinVruntime();
        }
        if (arrived) {
            se.runDelay += now - se.lastQueued;
            se.pcount++;
        }
    }

    /** update_curr(): the running task is charged up to now, in real and virtual time. */
    private void updateCurr(RunQueue rq) {
        Task c = rq.curr;
        if (c == null) return;
        SchedEntity se = c.se;
        long delta = now - se.execStart;
        if (delta <= 0) return;
        se.execStart = now;
        se.sumExecRuntime += delta;
        if (se.burstLeft > 0) se.burstLeft = Math.max(0, se.burstLeft - delta);
        if (isRt(c)) {
            se.rrSliceLeft -= delta;
        } else {
            se.vruntime += se.calcDeltaFair(delta);
            rq.cfs.updateMinVruntime();
        }
    }

    /** Moves a queued fair task between CPUs (detach_task + attach_task). */
    void migrateQueued(SchedEntity se, RunQueue src, RunQueue dst) {
        src.cfs.remove(se);
        src.cfs.load -= se.weight;
        se.vruntime = se.vruntime - src.cfs.minVruntime + dst.cfs.minVruntime;
        se.nrMigrations++;
        se.task.cpu = dst.cpu;
        dst.cfs.insert(se);
        dst.cfs.load += se.weight;
    }
}
