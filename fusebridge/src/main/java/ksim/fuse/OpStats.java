package ksim.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of the FUSE requests a mount served and the time spent in them, by operation (what
 * the host kernel's /sys/fs/fuse would tell if it counted): a profiling aid, off unless the
 * system property ksim.fuse.opstats names a file, which gets the table when the mount ends.
 */
final class OpStats {
    private record Counter(LongAdder calls, LongAdder nanos) {}

    private final ConcurrentHashMap<String, Counter> ops = new ConcurrentHashMap<>();
    private final Path out;

    private OpStats(Path out) {
        this.out = out;
    }

    /** The stats of a new mount, or null when not asked for. */
    static OpStats fromProperty() {
        String p = System.getProperty("ksim.fuse.opstats");
        return p == null || p.isEmpty() ? null : new OpStats(Path.of(p));
    }

    void add(String op, long nanos) {
        Counter c = ops.computeIfAbsent(op, k -> new Counter(new LongAdder(), new LongAdder()));
        c.calls().increment();
        c.nanos().add(nanos);
    }

    String table() {
        StringBuilder sb = new StringBuilder(String.format("%-12s %10s %12s %10s%n", "op", "calls", "total_ms", "avg_us"));
        Map<String, Counter> sorted = new TreeMap<>(ops);
        for (Map.Entry<String, Counter> e : sorted.entrySet()) {
            long n = e.getValue().calls().sum();
            long ns = e.getValue().nanos().sum();
            sb.append(String.format("%-12s %10d %12.1f %10.1f%n", e.getKey(), n, ns / 1e6, n == 0 ? 0 : ns / 1e3 / n));
        }
        return sb.toString();
    }

    void write() {
        try {
            Files.writeString(out, table());
        } catch (IOException e) {
            System.err.println("ksim: cannot write FUSE op stats to " + out + ": " + e.getMessage());
        }
    }
}
