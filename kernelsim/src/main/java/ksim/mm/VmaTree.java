package ksim.mm;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * mm->mm_mt (lib/maple_tree.c as the mm uses it): an address space's VMAs by start address.
 * Here a sorted array searched by bisection: a process has a few dozen VMAs, and a hundred
 * thousand processes must not pay a map entry and a boxed key for each of them.
 */
final class VmaTree {
    private static final Vma[] EMPTY = new Vma[0];
    private Vma[] a = EMPTY;
    private int n;

    int size() {
        return n;
    }

    /** Every VMA in address order; a read-only view that follows later changes. */
    List<Vma> values() {
        return new View();
    }

    /** Index of the VMA starting at start, or -(insertion point) - 1. */
    private int search(long start) {
        int lo = 0, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long s = a[mid].start;
            if (s < start) lo = mid + 1;
            else if (s > start) hi = mid - 1;
            else return mid;
        }
        return -(lo + 1);
    }

    /** The last VMA starting at or below addr (mas_prev / floor), or null. */
    Vma floor(long addr) {
        int i = search(addr);
        i = i >= 0 ? i : -i - 2;
        return i >= 0 ? a[i] : null;
    }

    /** The last VMA starting below addr, or null. */
    Vma lower(long addr) {
        int i = search(addr);
        i = i >= 0 ? i - 1 : -i - 2;
        return i >= 0 ? a[i] : null;
    }

    /** The first VMA starting at or above addr, or null. */
    Vma ceiling(long addr) {
        int i = search(addr);
        i = i >= 0 ? i : -i - 1;
        return i < n ? a[i] : null;
    }

    /** The first VMA starting above addr, or null. */
    Vma higher(long addr) {
        int i = search(addr);
        i = i >= 0 ? i + 1 : -i - 1;
        return i < n ? a[i] : null;
    }

    /** The VMAs starting in [from, to), in order (a copy). */
    List<Vma> range(long from, long to) {
        int i = search(from);
        i = i >= 0 ? i : -i - 1;
        int j = i;
        while (j < n && a[j].start < to) j++;
        return List.of(Arrays.copyOfRange(a, i, j));
    }

    /** The VMA at index i, in address order. */
    Vma get(int i) {
        if (i < 0 || i >= n) throw new IndexOutOfBoundsException(i);
        return a[i];
    }

    /** Stores v by its start, replacing a VMA with the same start. */
    void put(Vma v) {
        int i = search(v.start);
        if (i >= 0) {
            a[i] = v;
            return;
        }
        i = -i - 1;
        if (n == a.length) a = Arrays.copyOf(a, Math.max(4, n + (n >> 1) + 1));
        System.arraycopy(a, i, a, i + 1, n - i);
        a[i] = v;
        n++;
    }

    /** Forgets the VMA starting at start, if there is one. */
    void remove(long start) {
        int i = search(start);
        if (i < 0) return;
        System.arraycopy(a, i + 1, a, i, n - i - 1);
        a[--n] = null;
    }

    /** Drops unused room (once an address space is built). */
    void trim() {
        if (a.length != n) a = n == 0 ? EMPTY : Arrays.copyOf(a, n);
    }

    private final class View extends AbstractList<Vma> implements RandomAccess {
        @Override
        public Vma get(int i) {
            return VmaTree.this.get(i);
        }

        @Override
        public int size() {
            return n;
        }
    }
}
