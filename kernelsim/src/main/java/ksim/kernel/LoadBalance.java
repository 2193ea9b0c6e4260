package ksim.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * Where tasks run (kernel/sched/fair.c select_task_rq_fair, load_balance, newidle_balance),
 * reduced to one flat domain of all CPUs measured by nr_running: a new task goes to the least
 * loaded CPU, a woken one stays where it ran unless that CPU is busy and another is idle, a
 * CPU about to idle pulls a queued task from the busiest, and every BALANCE_INTERVAL jiffies
 * queued tasks move from the busiest to the idlest CPU until they differ by less than two.
 * Bound and cache-hot tasks never move. Each decision costs O(CPUs) plus O(log n) per task moved.
 */
final class LoadBalance {
    /** sysctl_sched_nr_migrate: at most this many tasks move in one balance. */
    static final int NR_MIGRATE = 32;
    /** sysctl_sched_migration_cost: a task that ran this recently is cache-hot and stays. */
    static final long MIGRATION_COST_NS = 500_000L;
    private final Scheduler sched;
    private final RunQueue[] rqs;

    LoadBalance(Scheduler sched, RunQueue[] rqs) {
        this.sched = sched;
        this.rqs = rqs;
    }

    /** select_task_rq(). */
    int selectTaskRq(Task t, boolean initial) {
        int bound = t.se.boundCpu;
        if (bound >= 0) return bound;
        if (initial) return idlest().cpu;
        int prev = Math.min(Math.max(t.cpu, 0), rqs.length - 1);
        if (rqs[prev].nrRunning() == 0) return prev;
        for (RunQueue rq : rqs) if (rq.nrRunning() == 0) return rq.cpu;
        return prev;
    }

    /** The CPU with the fewest runnable tasks, lowest number first. */
    private RunQueue idlest() {
        RunQueue best = rqs[0];
        for (RunQueue rq : rqs) if (rq.nrRunning() < best.nrRunning()) best = rq;
        return best;
    }

    /** The CPU with the most runnable tasks, lowest number first. */
    private RunQueue busiest() {
        RunQueue best = rqs[0];
        for (RunQueue rq : rqs) if (rq.nrRunning() > best.nrRunning()) best = rq;
        return best;
    }

    /** The periodic load_balance(): a few rounds of moving from the busiest to the idlest. */
    void periodic() {
        for (int round = 0; round < rqs.length; round++) {
            RunQueue src = busiest();
            RunQueue dst = idlest();
            int imbalance = src.nrRunning() - dst.nrRunning();
            if (src == dst || imbalance < 2) return;
            List<SchedEntity> moving = candidates(src, dst.cpu, Math.min(imbalance / 2, NR_MIGRATE));
            if (moving.isEmpty()) return;
            for (SchedEntity se : moving) {
                sched.migrateQueued(se, src, dst);
                sched.checkPreemptWakeup(dst, se.task);
            }
        }
    }

    /** newidle_balance(): rq is about to idle; pull one queued task from the busiest CPU. */
    boolean pullOne(RunQueue rq) {
        RunQueue src = busiest();
        if (src == rq || src.nrRunning() < 2) return false;
        List<SchedEntity> moving = candidates(src, rq.cpu, 1);
        if (moving.isEmpty()) return false;
        sched.migrateQueued(moving.get(0), src, rq);
        return true;
    }

    /** can_migrate_task() over the queued fair tasks, most-run (rightmost) first. */
    private List<SchedEntity> candidates(RunQueue src, int dstCpu, int max) {
        List<SchedEntity> out = new ArrayList<>();
        long now = sched.clockNs();
        for (SchedEntity se : src.cfs.fromRight()) {
            if (out.size() >= max) break;
            if (se.boundCpu >= 0 && se.boundCpu != dstCpu) continue;
            // task_hot(): it left a CPU less than the migration cost ago.
            if (se.sumExecRuntime > 0 && now - se.execStart < MIGRATION_COST_NS) continue;
            out.add(se);
        }
        return out;
    }
}
