package ksim.kernel;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Drives the clock of a WALL-mode kernel: a timer thread that, every few milliseconds,
 * catches the simulated jiffies up with the time that really passed (the timer interrupt,
 * batched). The time source is injected so tests can drive it.
 */
public final class WallClock implements AutoCloseable {
    private static final long PERIOD_MS = 4;
    private final Kernel kernel;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private final long startJiffies;
    private ScheduledExecutorService timer;

    public WallClock(Kernel kernel, LongSupplier nanoTime) {
        this.kernel = kernel;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
        this.startJiffies = kernel.locked(() -> kernel.clock().jiffies());
    }

    /** Ticks the kernel up to now; returns how many jiffies passed. */
    public long catchUp() {
        long target = startJiffies + (nanoTime.getAsLong() - startNanos) / Param.TICK_NSEC;
        return kernel.locked(() -> {
            long behind = target - kernel.clock().jiffies();
            if (behind > 0) kernel.tick(behind);
            return Math.max(0, behind);
        });
    }

    public synchronized void start() {
        if (timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ksim-timer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::catchUp, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
        timer = null;
    }
}
