package ksim.mm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The present page table entries of one VMA, by virtual page number, kept as runs of pages of
 * one kind (so a 10 GiB mapping with a few touched pages costs a few entries). The pages per
 * kind, summed from the runs, are the VMA's share of the mm's rss_stat.
 *
 * A hundred thousand processes have millions of VMAs, most with one run or none: the runs sit
 * in one sorted array of (start, end, kind) triples, allocated on the first present page, and
 * an empty VMA holds nothing but this object.
 */
public final class ResidentPages {
    /** Pages [start, end) (virtual page numbers) all of one kind. */
    public record Run(long start, long end, PageKind kind) {
        public long pages() {
            return end - start;
        }
    }

    private static final PageKind[] KINDS = PageKind.values();

    /** Runs in address order, three longs each: start, end, kind ordinal; null when empty. */
    private long[] runs;
    private int n;
    /** Pages of kind k (summed over the runs: a VMA has a few). */
    public long count(PageKind k) {
        long s = 0;
        int want = k.ordinal();
        for (int i = 0; i < n; i++) if (runs[3 * i + 2] == want) s += runs[3 * i + 1] - runs[3 * i];
        return s;
    }

    /** Pages present in memory (every kind but swap entries). */
    public long resident() {
        long s = 0;
        for (int i = 0; i < n; i++) if (KINDS[(int) runs[3 * i + 2]].resident()) s += runs[3 * i + 1] - runs[3 * i];
        return s;
    }

    /** Adds sign times the pages of each kind to counts (indexed by PageKind ordinal). */
    void addCounts(long[] counts, int sign) {
        for (int i = 0; i < n; i++) counts[(int) runs[3 * i + 2]] += sign * (runs[3 * i + 1] - runs[3 * i]);
    }

    /** How many runs there are; runStart(i) and runEnd(i) bound the i-th in address order. */
    public int runCount() {
        return n;
    }

    public long runStart(int i) {
        return runs[3 * i];
    }

    public long runEnd(int i) {
        return runs[3 * i + 1];
    }

    /** The runs in address order (a copy). */
    public Collection<Run> runList() {
        if (n == 0) return List.of();
        List<Run> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(new Run(runs[3 * i], runs[3 * i + 1], KINDS[(int) runs[3 * i + 2]]));
        return out;
    }

    /**
     * Gives every page of [from, to) the kind f returns for its current kind (null: no entry).
     * Returns how many pages changed kind.
     */
    public long apply(long from, long to, UnaryOperator<PageKind> f) {
        if (from >= to) return 0;
        Builder b = new Builder(n + 4);
        long changed = 0;
        long cursor = from;
        for (int i = 0; i < n; i++) {
            long s = runs[3 * i], e = runs[3 * i + 1];
            int k = (int) runs[3 * i + 2];
            if (e <= from) {
                b.add(s, e, k);
                continue;
            }
            if (s >= to) {
                if (cursor < to) {
                    changed += b.replace(cursor, to, -1, f);
                    cursor = to;
                }
                b.add(s, e, k);
                continue;
            }
            if (s < from) b.add(s, from, k);
            long lo = Math.max(s, from), hi = Math.min(e, to);
            if (cursor < lo) changed += b.replace(cursor, lo, -1, f);
            changed += b.replace(lo, hi, k, f);
            cursor = hi;
            if (e > to) b.add(to, e, k); // the part above the range keeps its kind
        }
        if (cursor < to) changed += b.replace(cursor, to, -1, f);
        install(b);
        return changed;
    }

    /** Drops every entry of [from, to); returns how many there were. */
    public long clear(long from, long to) {
        return apply(from, to, k -> null);
    }

    /** Removes and returns the entries at and above page `at` (splitting a VMA). */
    public ResidentPages splitOff(long at) {
        ResidentPages upper = new ResidentPages();
        if (n == 0) return upper;
        Builder low = new Builder(n + 1);
        Builder high = new Builder(n + 1);
        for (int i = 0; i < n; i++) {
            long s = runs[3 * i], e = runs[3 * i + 1];
            int k = (int) runs[3 * i + 2];
            if (e <= at) low.add(s, e, k);
            else if (s >= at) high.add(s, e, k);
            else {
                low.add(s, at, k);
                high.add(at, e, k);
            }
        }
        install(low);
        upper.install(high);
        return upper;
    }

    /** Takes over every entry of other (merging two adjacent VMAs). */
    public void absorb(ResidentPages other) {
        if (other.n == 0) return;
        Builder b = new Builder(n + other.n);
        for (int i = 0; i < n; i++) b.add(runs[3 * i], runs[3 * i + 1], (int) runs[3 * i + 2]);
        for (int i = 0; i < other.n; i++) b.add(other.runs[3 * i], other.runs[3 * i + 1], (int) other.runs[3 * i + 2]);
        install(b);
        other.runs = null;
        other.n = 0;
    }

    public ResidentPages copy() {
        ResidentPages c = new ResidentPages();
        if (n == 0) return c;
        c.runs = Arrays.copyOf(runs, 3 * n);
        c.n = n;
        return c;
    }

    /** Takes the builder's runs (in order; touching runs of one kind merged). */
    private void install(Builder b) {
        runs = b.n == 0 ? null : b.n * 3 == b.a.length ? b.a : Arrays.copyOf(b.a, 3 * b.n);
        n = b.n;
    }

    /** Runs appended in address order; a run touching the last one with the same kind extends it. */
    private static final class Builder {
        long[] a;
        int n;

        Builder(int capacity) {
            a = new long[3 * Math.max(1, capacity)];
        }

        void add(long start, long end, int kind) {
            if (start >= end) return;
            if (n > 0 && a[3 * n - 2] == start && a[3 * n - 1] == kind) {
                a[3 * n - 2] = end;
                return;
            }
            if (3 * n + 3 > a.length) a = Arrays.copyOf(a, a.length * 2);
            a[3 * n] = start;
            a[3 * n + 1] = end;
            a[3 * n + 2] = kind;
            n++;
        }

        /** Adds [start, end) with the kind f gives the old kind (-1: none); returns the pages that changed. */
        long replace(long start, long end, int oldKind, UnaryOperator<PageKind> f) {
            if (start >= end) return 0;
            PageKind old = oldKind < 0 ? null : KINDS[oldKind];
            PageKind k = f.apply(old);
            if (k != null) add(start, end, k.ordinal());
            return k == old ? 0 : end - start;
        }
    }
}
