package ksim.kernel;

/**
 * struct sigpending (include/linux/signal_types.h): the signals queued for a thread
 * (task->pending) or for the whole process (signal->shared_pending). A standard signal is
 * queued at most once (legacy_queue); the model keeps one bit per signal for real-time ones too.
 */
public final class SigPending {
    long signal;

    public long signal() { return signal; }

    boolean has(int sig) {
        return (signal & Signum.mask(sig)) != 0;
    }

    /** SYNCHRONOUS_MASK: faults are dequeued before anything else. */
    private static final long SYNCHRONOUS_MASK = Signum.mask(Signum.SIGSEGV) | Signum.mask(Signum.SIGBUS)
            | Signum.mask(Signum.SIGILL) | Signum.mask(Signum.SIGTRAP) | Signum.mask(Signum.SIGFPE)
            | Signum.mask(Signum.SIGSYS);

    /** next_signal(): the pending signal not in blocked to dequeue first (faults, then the lowest), or 0. */
    int next(long blocked) {
        long ready = signal & ~blocked;
        if ((ready & SYNCHRONOUS_MASK) != 0) ready &= SYNCHRONOUS_MASK;
        return ready == 0 ? 0 : Long.numberOfTrailingZeros(ready) + 1;
    }
}
