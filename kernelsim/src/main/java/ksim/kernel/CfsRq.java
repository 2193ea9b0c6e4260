package ksim.kernel;

import java.util.Comparator;
import java.util.TreeSet;

/**
 * struct cfs_rq (kernel/sched/sched.h, fair.c): the runnable fair tasks of one CPU ordered by
 * vruntime (the rbtree, here a tree keyed by (vruntime, insertion seq), so ties are FIFO and
 * the order never depends on hashing), the running one kept outside the tree as the kernel
 * does, and the monotonic min_vruntime.
 */
final class CfsRq {
    private static final Comparator<SchedEntity> BY_VRUNTIME =
            Comparator.<SchedEntity>comparingLong(se -> se.vruntime).thenComparingLong(se -> se.seq);
    private final TreeSet<SchedEntity> timeline = new TreeSet<>(BY_VRUNTIME);
    private long nextSeq;
    SchedEntity curr;
    long minVruntime;
    /** load.weight: the sum of queued and running weights. */
    long load;

    /** Queued, not counting curr. */
    int nrQueued() {
        return timeline.size();
    }

    /** h_nr_running: queued plus the running one. */
    int nrRunning() {
        return timeline.size() + (curr != null ? 1 : 0);
    }

    /** __enqueue_entity(). */
    void insert(SchedEntity se) {
        se.seq = nextSeq++;
        timeline.add(se);
    }

    /** __dequeue_entity(). */
    void remove(SchedEntity se) {
        timeline.remove(se);
    }

    /** __pick_first_entity(): the leftmost, least virtual runtime. */
    SchedEntity leftmost() {
        return timeline.isEmpty() ? null : timeline.first();
    }

    /** The rightmost: the task that ran most, the cheapest to move away. */
    SchedEntity rightmost() {
        return timeline.isEmpty() ? null : timeline.last();
    }

    /** The queued entities from the right: candidates for migration, most-run first. */
    Iterable<SchedEntity> fromRight() {
        return timeline.descendingSet();
    }

    /** update_min_vruntime(): never backwards, following the least of curr and the leftmost. */
    void updateMinVruntime() {
        long v = minVruntime;
        boolean any = false;
        if (curr != null) {
            v = curr.vruntime;
            any = true;
        }
        SchedEntity left = leftmost();
        if (left != null) {
            v = any ? Math.min(v, left.vruntime) : left.vruntime;
            any = true;
        }
        if (any) minVruntime = Math.max(minVruntime, v);
    }

    /**
     * place_entity(): a new task starts one virtual slice after min_vruntime (START_DEBIT), a
     * woken one no earlier than half a latency before it (the sleeper credit of
     * GENTLE_FAIR_SLEEPERS), and never goes back in virtual time.
     */
    void placeEntity(SchedEntity se, boolean initial, long latency) {
        long v = minVruntime;
        if (initial) {
            v += se.calcDeltaFair(se.slice);
            se.vruntime = Math.max(se.vruntime, v);
        } else {
            v -= latency / 2;
            se.vruntime = Math.max(se.vruntime, v);
        }
    }
}
