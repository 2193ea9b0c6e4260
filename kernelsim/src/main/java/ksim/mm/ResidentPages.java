package ksim.mm;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The present page table entries of one VMA, by virtual page number, kept as runs of pages of
 * one kind (so a 10 GiB mapping with a few touched pages costs a few entries). Counters per
 * kind are kept up to date; they are the VMA's share of the mm's rss_stat.
 */
public final class ResidentPages {
    /** Pages [start, end) (virtual page numbers) all of one kind. */
    public record Run(long start, long end, PageKind kind) {
        public long pages() {
            return end - start;
        }
    }

    /** Allocated on the first present page: most VMAs of an idle process have a few runs or none. */
    private TreeMap<Long, Run> runs;
    private final long[] counts = new long[PageKind.values().length];

    private TreeMap<Long, Run> runs() {
        if (runs == null) runs = new TreeMap<>();
        return runs;
    }

    public long count(PageKind k) {
        return counts[k.ordinal()];
    }

    /** Pages present in memory (every kind but swap entries). */
    public long resident() {
        long n = 0;
        for (PageKind k : PageKind.values()) if (k.resident()) n += counts[k.ordinal()];
        return n;
    }

    /** The runs in address order. */
    public Collection<Run> runList() {
        return runs == null ? List.of() : Collections.unmodifiableCollection(runs.values());
    }

    /**
     * Gives every page of [from, to) the kind f returns for its current kind (null: no entry).
     * Returns how many pages changed kind.
     */
    public long apply(long from, long to, UnaryOperator<PageKind> f) {
        if (from >= to) return 0;
        splitAt(from);
        splitAt(to);
        Map<Long, Run> inside = runs().subMap(from, true, to, false);
        List<Run> old = new ArrayList<>(inside.values());
        List<Run> fresh = new ArrayList<>();
        long changed = 0;
        long cursor = from;
        for (Run r : old) {
            changed += replace(cursor, r.start, null, f, fresh);
            changed += replace(r.start, r.end, r.kind, f, fresh);
            cursor = r.end;
        }
        changed += replace(cursor, to, null, f, fresh);
        for (Run r : old) remove(r);
        for (Run r : fresh) add(r);
        coalesce(from, to);
        return changed;
    }

    private static long replace(long start, long end, PageKind kind, UnaryOperator<PageKind> f, List<Run> out) {
        if (start >= end) return 0;
        PageKind k = f.apply(kind);
        if (k != null) out.add(new Run(start, end, k));
        return k == kind ? 0 : end - start;
    }

    /** Drops every entry of [from, to); returns how many there were. */
    public long clear(long from, long to) {
        return apply(from, to, k -> null);
    }

    /** Removes and returns the entries at and above page `at` (splitting a VMA). */
    public ResidentPages splitOff(long at) {
        if (runs == null) return new ResidentPages();
        splitAt(at);
        ResidentPages upper = new ResidentPages();
        for (Run r : new ArrayList<>(runs().tailMap(at, true).values())) {
            remove(r);
            upper.add(r);
        }
        return upper;
    }

    /** Takes over every entry of other (merging two adjacent VMAs). */
    public void absorb(ResidentPages other) {
        if (other.runs == null) return;
        for (Run r : other.runs().values()) add(r);
        other.runs().clear();
        java.util.Arrays.fill(other.counts, 0);
        if (!runs().isEmpty()) coalesce(runs().firstKey(), runs().lastEntry().getValue().end);
    }

    public ResidentPages copy() {
        ResidentPages c = new ResidentPages();
        if (runs == null) return c;
        for (Run r : runs.values()) c.add(r);
        return c;
    }

    private void splitAt(long at) {
        if (runs == null) return;
        Map.Entry<Long, Run> e = runs.lowerEntry(at);
        if (e == null) return;
        Run r = e.getValue();
        if (r.end <= at) return;
        runs().put(r.start, new Run(r.start, at, r.kind));
        runs().put(at, new Run(at, r.end, r.kind));
    }

    private void coalesce(long from, long to) {
        Long key = runs().floorKey(from - 1) != null ? runs().floorKey(from - 1) : runs().ceilingKey(from);
        while (key != null) {
            Run r = runs().get(key);
            Map.Entry<Long, Run> next = runs().higherEntry(key);
            if (next == null) return;
            Run n = next.getValue();
            if (n.start == r.end && n.kind == r.kind) {
                runs().remove(n.start);
                runs().put(r.start, new Run(r.start, n.end, r.kind));
                continue;
            }
            if (n.start > to) return;
            key = n.start;
        }
    }

    private void add(Run r) {
        runs().put(r.start, r);
        counts[r.kind.ordinal()] += r.pages();
    }

    private void remove(Run r) {
        runs().remove(r.start);
        counts[r.kind.ordinal()] -= r.pages();
    }
}
