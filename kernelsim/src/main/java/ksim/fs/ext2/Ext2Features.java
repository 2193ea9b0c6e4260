package ksim.fs.ext2;

/**
 * Feature bits of the superblock (include/linux/ext2_fs.h, e2fsprogs lib/ext2fs/ext2_fs.h) and
 * the mount policy: what this driver writes correctly, what it may only read, what it refuses.
 */
final class Ext2Features {
    private Ext2Features() {}

    static final long COMPAT_DIR_PREALLOC = 0x1;
    static final long COMPAT_HAS_JOURNAL = 0x4;
    static final long COMPAT_EXT_ATTR = 0x8;
    static final long COMPAT_RESIZE_INODE = 0x10;
    static final long COMPAT_DIR_INDEX = 0x20;

    static final long INCOMPAT_COMPRESSION = 0x1;
    static final long INCOMPAT_FILETYPE = 0x2;
    static final long INCOMPAT_RECOVER = 0x4;
    static final long INCOMPAT_JOURNAL_DEV = 0x8;
    static final long INCOMPAT_META_BG = 0x10;
    static final long INCOMPAT_EXTENTS = 0x40;
    static final long INCOMPAT_64BIT = 0x80;
    static final long INCOMPAT_FLEX_BG = 0x200;

    static final long RO_COMPAT_SPARSE_SUPER = 0x1;
    static final long RO_COMPAT_LARGE_FILE = 0x2;

    /** Incompatible features this driver implements: anything else cannot be mounted at all. */
    static final long INCOMPAT_SUPP = INCOMPAT_FILETYPE;
    /** Read-only-compatible features it writes correctly: anything else mounts read-only. */
    static final long RO_COMPAT_SUPP = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE;

    /** e2fsprogs' names of incompat bits, for the refusal message. */
    static String incompatNames(long bits) {
        String[] names = {"compression", "filetype", "needs_recovery", "journal_dev", "meta_bg", "0x20", "extents",
            "64bit", "mmp", "flex_bg", "ea_inode", "0x800", "dirdata", "metadata_csum_seed", "large_dir",
            "inline_data", "encrypt", "casefold"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            if ((bits & (1L << i)) == 0) continue;
            if (sb.length() > 0) sb.append(' ');
            sb.append(i < names.length ? names[i] : String.format("0x%x", 1L << i));
        }
        return sb.toString();
    }
}
