package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The sorted VMA array answers every neighbour query as a TreeMap keyed by start would. */
class VmaTreeTest {
    private static Vma vma(long page) {
        return new Vma(page * 4096, (page + 1) * 4096, 0, 0, null, null);
    }

    private static Vma val(Map.Entry<Long, Vma> e) {
        return e == null ? null : e.getValue();
    }

    @Test
    void agreesWithATreeMapUnderRandomChanges() {
        Random rnd = new Random(7);
        VmaTree tree = new VmaTree();
        TreeMap<Long, Vma> ref = new TreeMap<>();
        for (int step = 0; step < 20_000; step++) {
            long page = rnd.nextInt(300);
            long addr = page * 4096 + (rnd.nextBoolean() ? 0 : rnd.nextInt(4096));
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    Vma v = vma(page);
                    tree.put(v);
                    ref.put(v.start, v);
                }
                case 1 -> {
                    tree.remove(page * 4096);
                    ref.remove(page * 4096);
                }
                default -> tree.trim();
            }
            assertEquals(val(ref.floorEntry(addr)), tree.floor(addr));
            assertEquals(val(ref.lowerEntry(addr)), tree.lower(addr));
            assertEquals(val(ref.ceilingEntry(addr)), tree.ceiling(addr));
            assertEquals(val(ref.higherEntry(addr)), tree.higher(addr));
            long to = addr + rnd.nextInt(40) * 4096L;
            assertEquals(new ArrayList<>(ref.subMap(addr, true, to, false).values()), tree.range(addr, to));
            assertEquals(ref.size(), tree.size());
        }
        assertEquals(List.copyOf(ref.values()), List.copyOf(tree.values()));
    }
}
