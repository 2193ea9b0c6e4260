package ksim.fs.ext2;

/** Layout rules shared by the driver and mkfs (fs/ext2/balloc.c ext2_bg_has_super, ext2_bg_num_gdb). */
final class Ext2Layout {
    private Ext2Layout() {}

    /** With sparse_super only groups 0, 1 and powers of 3, 5 and 7 carry superblock backups. */
    static boolean bgHasSuper(int g, boolean sparse) {
        if (!sparse || g <= 1) return true;
        if ((g & 1) == 0) return false;
        return isPowerOf(g, 3) || isPowerOf(g, 5) || isPowerOf(g, 7);
    }

    private static boolean isPowerOf(int n, int base) {
        long p = base;
        while (p < n) p *= base;
        return p == n;
    }

    /** EXT2_DIR_REC_LEN: the space a directory entry with a name of nameLen bytes takes. */
    static int dirRecLen(int nameLen) {
        return (8 + nameLen + 3) & ~3;
    }
}
