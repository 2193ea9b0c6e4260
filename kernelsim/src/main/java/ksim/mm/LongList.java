package ksim.mm;

import java.util.Arrays;

/** A growable array of longs, for the folios an owner holds (packed pfn and order). */
final class LongList {
    private long[] a;
    private int n;

    LongList(int capacity) {
        a = new long[Math.max(1, capacity)];
    }

    void add(long v) {
        if (n == a.length) a = Arrays.copyOf(a, n * 2);
        a[n++] = v;
    }

    long removeLast() {
        return a[--n];
    }

    long get(int i) {
        return a[i];
    }

    int size() {
        return n;
    }

    long[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
