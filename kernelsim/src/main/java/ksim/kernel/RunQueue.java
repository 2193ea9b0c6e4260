package ksim.kernel;

import java.util.ArrayDeque;

/** struct rq (kernel/sched/sched.h): one CPU's queue of runnable tasks and the one running. */
final class RunQueue {
    final int cpu;
    final ArrayDeque<Task> queue = new ArrayDeque<>();
    Task curr;
    int sliceLeft;
    /** rq->nr_switches: context switches on this CPU (summed into /proc/stat ctxt). */
    long nrSwitches;

    RunQueue(int cpu) {
        this.cpu = cpu;
    }

    /** rq->nr_running: queued plus the one on the CPU. */
    int nrRunning() {
        return queue.size() + (curr == null ? 0 : 1);
    }
}
