package ksim.kernel;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * struct rt_rq (kernel/sched/rt.c): the queued real-time tasks of one CPU, highest priority
 * (lowest prio value) first and FIFO within a priority, as the per-priority lists of
 * rt_prio_array order them.
 */
final class RtRq {
    private static final Comparator<SchedEntity> BY_PRIO =
            Comparator.<SchedEntity>comparingInt(se -> se.task.prio()).thenComparingLong(se -> se.seq);
    private final TreeSet<SchedEntity> queue = new TreeSet<>(BY_PRIO);
    private long nextSeq;

    int size() {
        return queue.size();
    }

    /** enqueue_rt_entity(): at the tail of its priority (or the head, when it was preempted). */
    void insert(SchedEntity se, boolean head) {
        se.seq = head ? -(++nextSeq) : ++nextSeq;
        queue.add(se);
    }

    void remove(SchedEntity se) {
        queue.remove(se);
    }

    /** pick_next_rt_entity(). */
    SchedEntity first() {
        return queue.isEmpty() ? null : queue.first();
    }
}
