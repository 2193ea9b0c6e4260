package ksim.ctl;

import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import ksim.kernel.Kernel;
import ksim.kernel.Syscalls;
import ksim.kernel.Task;

/**
 * What a command works with: the kernel, its system calls, and the rule for long batches —
 * they run in chunks, releasing the kernel lock in between and letting any waiting reader of
 * /proc (or the clock, or another connection) have it before the next chunk.
 */
final class Ctl {
    /** Kernel operations per hold of the kernel lock in a batch. */
    static final int CHUNK = 256;
    /** The longest a batch steps aside for waiters between two chunks, so it cannot starve. */
    private static final long MAX_STEP_ASIDE_NS = 20_000_000;

    final Kernel kernel;
    final Syscalls sys;

    Ctl(Kernel kernel) {
        this.kernel = kernel;
        this.sys = new Syscalls(kernel);
    }

    <T> T locked(Supplier<T> body) {
        return kernel.locked(body);
    }

    /**
     * Runs body(i) for i in 0..n-1, CHUNK at a time under the kernel lock. Between chunks,
     * while other threads wait for the lock, this one steps aside until they have had it (for
     * at most MAX_STEP_ASIDE_NS, should they keep coming). An exception stops the batch where
     * it is; what was done stays done.
     */
    void batch(int n, IntConsumer body) {
        for (int start = 0; start < n; start += CHUNK) {
            final int from = start;
            final int to = Math.min(n, start + CHUNK);
            kernel.locked(() -> {
                for (int i = from; i < to; i++) body.accept(i);
            });
            long until = System.nanoTime() + MAX_STEP_ASIDE_NS;
            while (kernel.lockContended() && System.nanoTime() < until) Thread.yield();
        }
    }

    /** A task's comm (or a kernel thread's full name) as text. */
    static String comm(Task t) {
        return new String(t.procName(), StandardCharsets.UTF_8);
    }

    /** The state letter /proc shows, or "gone" once the task is released. */
    static String state(Task t) {
        return t.isAlive() ? String.valueOf(t.state().letter) : "gone";
    }
}
