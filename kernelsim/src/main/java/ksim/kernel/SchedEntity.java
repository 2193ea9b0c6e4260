package ksim.kernel;

import ksim.kernel.sched.LoadWeight;
import ksim.kernel.sched.SchedAvg;

/**
 * struct sched_entity with the task's struct sched_info (include/linux/sched.h): what the
 * scheduler knows of one task. Mutated by the scheduler under the kernel lock; views read it.
 * Times are ns of the simulated clock since boot.
 */
public final class SchedEntity {
    final Task task;
    /** se->load.weight before scale_load(), and the nice it was taken from. */
    long weight = LoadWeight.NICE_0_LOAD;
    int loadNice;
    long vruntime;
    long sumExecRuntime;
    /** sum_exec_runtime when it was last picked: the slice is measured from here. */
    long prevSumExecRuntime;
    /** When update_curr() last charged it (or when it was picked). */
    long execStart;
    long nrMigrations;
    long slice;
    /** on_rq: queued or running on its run queue. */
    boolean onRq;
    /** Never enqueued yet: the first enqueue places it as a new task (ENQUEUE_INITIAL). */
    boolean initial = true;
    /** Tie-breaker of the cfs tree's order, renewed at every insertion (FIFO among equals). */
    long seq;
    /** sched_info: time waited on a run queue, times it ran, when it was last queued. */
    long runDelay;
    long pcount;
    long lastQueued;
    /** Remaining SCHED_RR slice. */
    long rrSliceLeft;
    /** p->cpus_mask reduced to what the model needs: one CPU, or -1 for all. */
    int boundCpu = -1;
    final SchedAvg avg = new SchedAvg();

    // ---- the simulated workload: how this task wakes and sleeps on its own ----
    /** Its rhythm, or null for a task that sleeps and wakes only when told. */
    KthreadRhythm rhythm;
    /** Run time left before it sleeps again (0: it runs until told otherwise). */
    long burstLeft;
    /** Where it goes back to after a burst. */
    TaskState sleepState;
    String sleepWchan;
    /** Generation of its armed timer; a timer with an older one is stale. */
    long timerGen;

    SchedEntity(Task task) {
        this.task = task;
    }

    public long weight() { return weight; }
    public long vruntime() { return vruntime; }
    public long sumExecRuntime() { return sumExecRuntime; }
    public long execStart() { return execStart; }
    public long nrMigrations() { return nrMigrations; }
    public long slice() { return slice; }
    public long runDelay() { return runDelay; }
    public long pcount() { return pcount; }
    public int boundCpu() { return boundCpu; }
    public SchedAvg avg() { return avg; }

    /** set_load_weight(): the weight of its nice. */
    void setLoad(int nice) {
        loadNice = nice;
        weight = LoadWeight.weight(nice);
    }

    /** calc_delta_fair(). */
    long calcDeltaFair(long delta) {
        return LoadWeight.calcDeltaFair(delta, loadNice);
    }
}
