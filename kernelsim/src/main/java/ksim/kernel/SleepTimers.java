package ksim.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The timers that wake sleeping tasks (kernel/time/timer.c, reduced to one ordered queue):
 * each expires at a jiffy; a task's newer timer makes its older one stale (del_timer by
 * generation, skipped when it comes up). Expiring costs O(expired * log n).
 */
final class SleepTimers {
    private record Timer(long expires, long seq, SchedEntity se, long gen) {}

    private final PriorityQueue<Timer> queue = new PriorityQueue<>((a, b) ->
            a.expires != b.expires ? Long.compare(a.expires, b.expires) : Long.compare(a.seq, b.seq));
    private long nextSeq;

    /** mod_timer(): se wakes at jiffy expires, replacing any timer it had. */
    void arm(SchedEntity se, long expires) {
        se.timerGen++;
        queue.add(new Timer(expires, nextSeq++, se, se.timerGen));
    }

    /** del_timer(). */
    void cancel(SchedEntity se) {
        se.timerGen++;
    }

    /** The entities whose live timers expire at or before jiffies, in expiry order. */
    List<SchedEntity> expire(long jiffies) {
        List<SchedEntity> due = new ArrayList<>();
        while (!queue.isEmpty() && queue.peek().expires <= jiffies) {
            Timer t = queue.poll();
            if (t.gen == t.se.timerGen) {
                t.se.timerGen++;
                due.add(t.se);
            }
        }
        return due;
    }

    int size() {
        return queue.size();
    }
}
