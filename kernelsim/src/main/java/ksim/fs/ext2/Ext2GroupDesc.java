package ksim.fs.ext2;

/**
 * struct ext2_group_desc: where a block group keeps its bitmaps and inode table, and its free
 * counts. The filesystem keeps them in memory and writes the dirty ones back into the
 * descriptor table blocks on sync.
 */
final class Ext2GroupDesc {
    static final int SIZE = 32;

    final byte[] raw = new byte[SIZE];
    boolean dirty;

    long blockBitmap() { return Le.u32(raw, 0x00); }
    long inodeBitmap() { return Le.u32(raw, 0x04); }
    long inodeTable() { return Le.u32(raw, 0x08); }
    int freeBlocksCount() { return Le.u16(raw, 0x0C); }
    int freeInodesCount() { return Le.u16(raw, 0x0E); }
    int usedDirsCount() { return Le.u16(raw, 0x10); }
    int flags() { return Le.u16(raw, 0x12); }

    void setBlockBitmap(long v) { Le.put32(raw, 0x00, v); dirty = true; }
    void setInodeBitmap(long v) { Le.put32(raw, 0x04, v); dirty = true; }
    void setInodeTable(long v) { Le.put32(raw, 0x08, v); dirty = true; }
    void setFreeBlocksCount(int v) { Le.put16(raw, 0x0C, v); dirty = true; }
    void setFreeInodesCount(int v) { Le.put16(raw, 0x0E, v); dirty = true; }
    void setUsedDirsCount(int v) { Le.put16(raw, 0x10, v); dirty = true; }
}
