package ksim.fs.ext2;

/** Little-endian bitmaps in a block (ext2_test_bit, ext2_set_bit, find_next_zero_bit). */
final class Bitmap {
    private Bitmap() {}

    static boolean test(byte[] b, int bit) {
        return (b[bit >>> 3] & (1 << (bit & 7))) != 0;
    }

    static void set(byte[] b, int bit) {
        b[bit >>> 3] |= (byte) (1 << (bit & 7));
    }

    static void clear(byte[] b, int bit) {
        b[bit >>> 3] &= (byte) ~(1 << (bit & 7));
    }

    /** The first clear bit in [from, limit), or -1. */
    static int nextZero(byte[] b, int from, int limit) {
        int i = from;
        while (i < limit && (i & 7) != 0) {
            if (!test(b, i)) return i;
            i++;
        }
        while (i + 8 <= limit && b[i >>> 3] == (byte) 0xff) i += 8;
        for (; i < limit; i++) if (!test(b, i)) return i;
        return -1;
    }

    /** The first bit of a fully clear byte at or after bit from, below limit, or -1. */
    static int nextZeroByte(byte[] b, int from, int limit) {
        for (int i = (from + 7) & ~7; i + 8 <= limit; i += 8) if (b[i >>> 3] == 0) return i;
        return -1;
    }

    /** Clear bits in [0, limit). */
    static int countZero(byte[] b, int limit) {
        int n = 0;
        int i = 0;
        for (; i + 8 <= limit; i += 8) n += 8 - Integer.bitCount(b[i >>> 3] & 0xff);
        for (; i < limit; i++) if (!test(b, i)) n++;
        return n;
    }
}
