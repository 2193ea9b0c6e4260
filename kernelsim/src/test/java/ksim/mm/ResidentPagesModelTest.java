package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The run array against the plainest model of a page table, one slot per page: random
 * applies, clears, splits, merges and copies must leave both with the same pages, the same
 * counts and the fewest runs (no two touching runs of one kind).
 */
class ResidentPagesModelTest {
    private static final int PAGES = 200;
    private static final PageKind[] KINDS = PageKind.values();

    @Test
    void randomOperationsAgreeWithOneSlotPerPage() {
        Random rnd = new Random(42);
        for (int round = 0; round < 300; round++) {
            ResidentPages p = new ResidentPages();
            PageKind[] model = new PageKind[PAGES];
            for (int step = 0; step < 40; step++) {
                int a = rnd.nextInt(PAGES), b = a + 1 + rnd.nextInt(PAGES - a);
                int op = rnd.nextInt(6);
                if (op == 5) {
                    // split at a, then merge back: nothing may change
                    ResidentPages upper = p.splitOff(a);
                    check(upper, model, a, PAGES);
                    check(p, model, 0, a);
                    p.absorb(upper);
                    assertEquals(0, upper.resident(), "absorbed pages leave the other side");
                } else if (op == 4) {
                    p = p.copy();
                } else {
                    UnaryOperator<PageKind> f = fn(rnd.nextInt(4), KINDS[rnd.nextInt(KINDS.length)]);
                    long expectChanged = 0;
                    for (int i = a; i < b; i++) {
                        PageKind k = f.apply(model[i]);
                        if (k != model[i]) expectChanged++;
                        model[i] = k;
                    }
                    assertEquals(expectChanged, p.apply(a, b, f), "pages changed by apply(" + a + ", " + b + ")");
                }
                check(p, model, 0, PAGES);
            }
        }
    }

    private static UnaryOperator<PageKind> fn(int which, PageKind to) {
        switch (which) {
            case 0: return k -> to;                      // overwrite
            case 1: return k -> null;                    // clear
            case 2: return k -> k == null ? to : k;      // fault in what is missing
            default: return k -> k == null ? null : to;  // change what is present
        }
    }

    /** p holds exactly model[from, to) (nothing outside it), counted right, in the fewest runs. */
    private static void check(ResidentPages p, PageKind[] model, int from, int to) {
        PageKind[] seen = new PageKind[PAGES];
        List<ResidentPages.Run> runs = new ArrayList<>(p.runList());
        for (int i = 0; i < runs.size(); i++) {
            ResidentPages.Run r = runs.get(i);
            assertTrue(r.start() < r.end(), "empty run " + r);
            if (i > 0) {
                ResidentPages.Run prev = runs.get(i - 1);
                assertTrue(prev.end() <= r.start(), "runs out of order: " + runs);
                assertTrue(prev.end() < r.start() || prev.kind() != r.kind(), "touching runs of one kind: " + runs);
            }
            for (long v = r.start(); v < r.end(); v++) seen[(int) v] = r.kind();
        }
        long resident = 0;
        for (PageKind k : KINDS) {
            long n = 0;
            for (int i = from; i < to; i++) if (model[i] == k) n++;
            assertEquals(n, p.count(k), "count of " + k);
            if (k.resident()) resident += n;
        }
        assertEquals(resident, p.resident());
        for (int i = 0; i < PAGES; i++) assertEquals(i >= from && i < to ? model[i] : null, seen[i], "page " + i);
    }
}
