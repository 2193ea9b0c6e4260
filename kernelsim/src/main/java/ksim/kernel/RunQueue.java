package ksim.kernel;

/**
 * struct rq (kernel/sched/sched.h): one CPU's run queues (real-time before fair), the task on
 * the CPU (null: the idle task, swapper/N), and its counters.
 */
final class RunQueue {
    final int cpu;
    final CfsRq cfs = new CfsRq();
    final RtRq rt = new RtRq();
    Task curr;
    /** rq->nr_switches: context switches on this CPU (summed into /proc/stat ctxt). */
    long nrSwitches;
    /** The idle task's own switch count (it is always preempted: nivcsw of swapper/N). */
    long idleSwitches;
    /** Time the idle task held the CPU, in ns (its sum_exec_runtime). */
    long idleTime;
    /** When the idle task last got the CPU. */
    long idleSince;

    RunQueue(int cpu) {
        this.cpu = cpu;
    }

    /** rq->nr_running: queued plus the one on the CPU, both classes. */
    int nrRunning() {
        return cfs.nrQueued() + rt.size() + (curr == null ? 0 : 1);
    }

    boolean isIdle() {
        return curr == null && nrRunning() == 0;
    }
}
