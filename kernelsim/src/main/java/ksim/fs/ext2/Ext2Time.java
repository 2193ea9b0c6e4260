package ksim.fs.ext2;

/**
 * Inode timestamps: 32-bit seconds in the classic inode, and in the extra fields of large
 * inodes (nanoseconds << 2) | epoch bits extending the seconds past 2038 (ext4_encode_extra_time).
 */
final class Ext2Time {
    private Ext2Time() {}

    static int seconds(long ns) {
        return (int) Math.floorDiv(ns, 1_000_000_000L);
    }

    static int extra(long ns) {
        long sec = Math.floorDiv(ns, 1_000_000_000L);
        long nsec = Math.floorMod(ns, 1_000_000_000L);
        long epoch = ((sec - (int) sec) >> 32) & 3;
        return (int) ((nsec << 2) | epoch);
    }

    /** Nanoseconds from the classic seconds and, if present, the extra field. */
    static long decode(int sec, int extra, boolean hasExtra) {
        if (!hasExtra) return (long) sec * 1_000_000_000L;
        long s = (long) sec + ((long) (extra & 3) << 32);
        return s * 1_000_000_000L + ((extra >>> 2) & 0x3fffffff);
    }
}
