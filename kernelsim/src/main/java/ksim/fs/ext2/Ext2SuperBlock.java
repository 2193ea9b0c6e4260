package ksim.fs.ext2;

import java.nio.charset.StandardCharsets;

/**
 * struct ext2_super_block (include/linux/ext2_fs.h, fs/ext2/ext2.h): the 1024 bytes at byte 1024
 * of the device, as named fields over a private copy that the filesystem writes back.
 */
final class Ext2SuperBlock {
    static final int SIZE = 1024;
    static final int OFFSET = 1024;
    static final int MAGIC = 0xEF53;
    static final int VALID_FS = 1;
    static final int ERROR_FS = 2;

    final byte[] raw;

    Ext2SuperBlock(byte[] raw) {
        if (raw.length != SIZE) throw new IllegalArgumentException("superblock is 1024 bytes");
        this.raw = raw;
    }

    long inodesCount() { return Le.u32(raw, 0x00); }
    long blocksCount() { return Le.u32(raw, 0x04); }
    long rBlocksCount() { return Le.u32(raw, 0x08); }
    long freeBlocksCount() { return Le.u32(raw, 0x0C); }
    long freeInodesCount() { return Le.u32(raw, 0x10); }
    long firstDataBlock() { return Le.u32(raw, 0x14); }
    long logBlockSize() { return Le.u32(raw, 0x18); }
    long logFragSize() { return Le.u32(raw, 0x1C); }
    long blocksPerGroup() { return Le.u32(raw, 0x20); }
    long fragsPerGroup() { return Le.u32(raw, 0x24); }
    long inodesPerGroup() { return Le.u32(raw, 0x28); }
    long mtime() { return Le.u32(raw, 0x2C); }
    long wtime() { return Le.u32(raw, 0x30); }
    int mntCount() { return Le.u16(raw, 0x34); }
    int maxMntCount() { return Le.s16(raw, 0x36); }
    int magic() { return Le.u16(raw, 0x38); }
    int state() { return Le.u16(raw, 0x3A); }
    int errors() { return Le.u16(raw, 0x3C); }
    long revLevel() { return Le.u32(raw, 0x4C); }
    int defResuid() { return Le.u16(raw, 0x50); }
    int defResgid() { return Le.u16(raw, 0x52); }
    long firstIno() { return revLevel() == 0 ? 11 : Le.u32(raw, 0x54); }
    int inodeSize() { return revLevel() == 0 ? 128 : Le.u16(raw, 0x58); }
    long featureCompat() { return Le.u32(raw, 0x5C); }
    long featureIncompat() { return Le.u32(raw, 0x60); }
    long featureRoCompat() { return Le.u32(raw, 0x64); }
    int reservedGdtBlocks() { return Le.u16(raw, 0xCE); }
    int defHashVersion() { return Le.u8(raw, 0xFC); }
    long flags() { return Le.u32(raw, 0x160); }
    int minExtraIsize() { return Le.u16(raw, 0x15C); }
    int wantExtraIsize() { return Le.u16(raw, 0x15E); }
    long overheadClusters() { return Le.u32(raw, 0x248); }

    String volumeName() {
        int n = 0;
        while (n < 16 && raw[0x78 + n] != 0) n++;
        return new String(raw, 0x78, n, StandardCharsets.ISO_8859_1);
    }

    void setFreeBlocksCount(long v) { Le.put32(raw, 0x0C, v); }
    void setFreeInodesCount(long v) { Le.put32(raw, 0x10, v); }
    void setMtime(long v) { Le.put32(raw, 0x2C, v); }
    void setWtime(long v) { Le.put32(raw, 0x30, v); }
    void setMntCount(int v) { Le.put16(raw, 0x34, v); }
    void setState(int v) { Le.put16(raw, 0x3A, v); }
    void setFeatureRoCompat(long v) { Le.put32(raw, 0x64, v); }

    void setLastMounted(String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        java.util.Arrays.fill(raw, 0x88, 0x88 + 64, (byte) 0);
        System.arraycopy(p, 0, raw, 0x88, Math.min(63, p.length));
    }
}
