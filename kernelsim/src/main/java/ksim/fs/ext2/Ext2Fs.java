package ksim.fs.ext2;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import ksim.fs.BlockDevice;
import ksim.fs.BufferCache;
import ksim.fs.BufferHead;
import ksim.fs.FileSystems;
import ksim.fs.Inode;
import ksim.fs.Kstatfs;
import ksim.fs.SuperBlock;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mounted ext2 filesystem: struct ext2_sb_info with the super_operations (fs/ext2/super.c).
 * mount() is ext2_fill_super: it checks the superblock and the group descriptors and refuses
 * images it cannot handle or that are damaged, without writing to them. A read-write mount
 * marks the filesystem not clean on disk at once; putSuper() writes everything back and
 * marks it clean again. An inconsistency found later (ext2_error) is logged once, answered
 * with EIO, and turns the filesystem read-only for good: nothing more is written.
 *
 * Every operation runs under the filesystem's lock (the object's monitor).
 */
public final class Ext2Fs implements SuperBlock {
    private static final Logger log = LoggerFactory.getLogger(Ext2Fs.class);

    static final long ROOT_INO = 2;
    static final long RESIZE_INO = 7;
    /** EXT2_LINK_MAX. */
    static final int LINK_MAX = 32000;
    /** Directory indexes kept in memory, in entries, before the least recently used are dropped. */
    private static final long INDEXED_ENTRIES_LIMIT = 4_000_000;

    /**
     * Mount options: -o ro; -o user_xattr to offer extended attributes for reading (without it
     * the xattr calls answer ENOSYS, which the host kernel remembers, so listing a directory
     * costs no attribute round trips); the seed of Orlov's random choices; the clock; the
     * buffer cache size.
     */
    public record Options(boolean readOnly, boolean xattr, long seed, LongSupplier clockNs, long cacheBytes) {
        public static Options defaults() {
            return new Options(false, false, 1, () -> {
                java.time.Instant t = java.time.Instant.now();
                return t.getEpochSecond() * 1_000_000_000L + t.getNano();
            }, 256L << 20);
        }

        public Options withReadOnly(boolean ro) {
            return new Options(ro, xattr, seed, clockNs, cacheBytes);
        }

        public Options withXattr(boolean x) {
            return new Options(readOnly, x, seed, clockNs, cacheBytes);
        }

        public Options withClock(LongSupplier c) {
            return new Options(readOnly, xattr, seed, c, cacheBytes);
        }

        public Options withSeed(long s) {
            return new Options(readOnly, xattr, s, clockNs, cacheBytes);
        }
    }

    final BlockDevice dev;
    final BufferCache bc;
    final String devName;
    final Ext2SuperBlock es;
    final int blockSize;
    final int sectorsPerBlock;
    final long blocksCount;
    final long firstDataBlock;
    final int blocksPerGroup;
    final int inodesPerGroup;
    final long inodesCount;
    final int inodeSize;
    final long firstIno;
    final int groups;
    final int descPerBlock;
    final int gdtBlocks;
    final int itbPerGroup;
    final int inodesPerBlock;
    final int addrPerBlock;
    final long maxFileSize;
    final boolean sparseSuper;
    final boolean filetype;
    final int newExtraIsize;
    final Ext2GroupDesc[] gd;
    final int[] debts;
    final Random rng;
    final LongSupplier clock;
    final boolean xattr;

    long freeBlocks;
    long freeInodes;
    long dirsCount;
    /**
     * Read without the filesystem's lock: /proc/<pid>/mountinfo asks for it under the kernel
     * lock, while a FUSE thread holding this filesystem's lock may wait for the kernel lock to
     * charge a slab object. The lock order is this filesystem, then the kernel, never the reverse.
     */
    private volatile boolean readOnly;
    private boolean sbDirty;
    private volatile boolean errors;
    private boolean closed;

    private final Map<Long, Ext2Inode> icache = new HashMap<>();
    /** The reservation windows of the files that are being written. */
    final Ext2Reservations rsv = new Ext2Reservations();
    /** Linux's default `reservation` mount option; tests turn it off to compare. */
    private boolean reservations = true;
    private final LinkedHashSet<Ext2Inode> dirtyInodes = new LinkedHashSet<>();
    private final LinkedHashMap<Ext2Inode, Boolean> indexed = new LinkedHashMap<>(64, 0.75f, true);
    private long indexedEntries;
    /** Where in-memory inodes are allocated from (ext2_alloc_inode: ext2_inode_cache), once mounted in a kernel. */
    private ksim.fs.VfsSlab slab = ksim.fs.VfsSlab.NONE;

    private Ext2Fs(BlockDevice dev, Ext2SuperBlock es, Options o) {
        this.dev = dev;
        this.devName = dev.path().getFileName().toString();
        this.es = es;
        this.clock = o.clockNs();
        this.xattr = o.xattr();
        this.rng = new Random(o.seed());
        this.blockSize = 1024 << es.logBlockSize();
        this.sectorsPerBlock = blockSize / 512;
        this.blocksCount = es.blocksCount();
        this.firstDataBlock = es.firstDataBlock();
        this.blocksPerGroup = (int) es.blocksPerGroup();
        this.inodesPerGroup = (int) es.inodesPerGroup();
        this.inodesCount = es.inodesCount();
        this.inodeSize = es.inodeSize();
        this.firstIno = es.firstIno();
        this.groups = (int) ((blocksCount - firstDataBlock + blocksPerGroup - 1) / blocksPerGroup);
        this.descPerBlock = blockSize / Ext2GroupDesc.SIZE;
        this.gdtBlocks = (groups + descPerBlock - 1) / descPerBlock;
        this.inodesPerBlock = blockSize / inodeSize;
        this.itbPerGroup = (inodesPerGroup + inodesPerBlock - 1) / inodesPerBlock;
        this.addrPerBlock = blockSize / 4;
        this.maxFileSize = maxBytes(blockSize);
        this.sparseSuper = (es.featureRoCompat() & Ext2Features.RO_COMPAT_SPARSE_SUPER) != 0;
        this.filetype = (es.featureIncompat() & Ext2Features.INCOMPAT_FILETYPE) != 0;
        int want = es.wantExtraIsize() != 0 ? es.wantExtraIsize() : 32;
        this.newExtraIsize = inodeSize > 128 && 128 + want <= inodeSize && want % 4 == 0 ? want : 0;
        this.bc = new BufferCache(dev, blockSize, o.cacheBytes());
        this.gd = new Ext2GroupDesc[groups];
        this.debts = new int[groups];
        this.readOnly = o.readOnly() || dev.readOnly();
    }

    // ---------------------------------------------------------------- mount

    /**
     * ext2_fill_super: opens and checks the image; throws KernelError (EINVAL for what is not a
     * usable ext2 filesystem, EROFS for a read-write mount of a read-only image) with one
     * message saying why. Nothing is written to an image that is refused.
     */
    public static Ext2Fs mount(Path image, Options o) {
        BlockDevice dev = BlockDevice.open(image, o.readOnly());
        try {
            return mount(dev, o);
        } catch (RuntimeException e) {
            dev.close();
            throw e;
        }
    }

    static Ext2Fs mount(BlockDevice dev, Options o) {
        String name = dev.path().getFileName().toString();
        byte[] raw = new byte[Ext2SuperBlock.SIZE];
        if (dev.size() < Ext2SuperBlock.OFFSET + Ext2SuperBlock.SIZE) throw refuse(name, "image too small to hold a superblock");
        dev.read(Ext2SuperBlock.OFFSET, raw, 0, raw.length);
        Ext2SuperBlock es = new Ext2SuperBlock(raw);
        Ext2Mount.checkSuper(name, es, dev.size(), o.readOnly());
        boolean forceRo = Ext2Mount.mustBeReadOnly(name, es);
        Options eff = forceRo ? o.withReadOnly(true) : o;
        Ext2Fs fs = new Ext2Fs(dev, es, eff);
        fs.readDescriptors();
        Ext2Inode root = fs.igetChecked(ROOT_INO);
        if (!root.isDir()) throw refuse(name, "root inode is not a directory");
        if (!fs.readOnly) fs.markMounted();
        return fs;
    }

    static KernelError refuse(String dev, String why) {
        return Errno.EINVAL.error("EXT2-fs (" + dev + "): " + why);
    }

    private void readDescriptors() {
        byte[] blk = new byte[blockSize];
        for (int b = 0; b < gdtBlocks; b++) {
            long where = firstDataBlock + 1 + b;
            dev.read(where * blockSize, blk, 0, blockSize);
            for (int i = 0; i < descPerBlock && b * descPerBlock + i < groups; i++) {
                Ext2GroupDesc d = new Ext2GroupDesc();
                System.arraycopy(blk, i * Ext2GroupDesc.SIZE, d.raw, 0, Ext2GroupDesc.SIZE);
                gd[b * descPerBlock + i] = d;
            }
        }
        Ext2Mount.checkDescriptors(this);
        for (Ext2GroupDesc d : gd) {
            freeBlocks += d.freeBlocksCount();
            freeInodes += d.freeInodesCount();
            dirsCount += d.usedDirsCount();
        }
    }

    /** On a read-write mount: mount count, mount time, and "not clean" on disk right away. */
    private void markMounted() {
        long now = nowSec();
        if ((es.state() & Ext2SuperBlock.VALID_FS) == 0) {
            log.warn("EXT2-fs ({}): warning: mounting unchecked fs, running e2fsck is recommended", devName);
        } else if ((es.state() & Ext2SuperBlock.ERROR_FS) != 0) {
            log.warn("EXT2-fs ({}): warning: mounting fs with errors, running e2fsck is recommended", devName);
        }
        es.setState(es.state() & ~Ext2SuperBlock.VALID_FS);
        es.setMntCount(es.mntCount() + 1);
        es.setMtime(now);
        writeSuper();
        bc.syncDirty();
        dev.flush();
    }

    // ---------------------------------------------------------------- geometry

    /** ext2_max_size: the largest file the block map and 32-bit i_blocks can describe. */
    static long maxBytes(int blockSize) {
        long apb = blockSize / 4;
        long blocks = 12 + apb + apb * apb + apb * apb * apb;
        long metaPerBlock = 1; // i_blocks is in 512-byte sectors and 32 bits wide
        long sectors = (1L << 32) - 1;
        long byI = sectors / (blockSize / 512) - (1 + apb + apb * apb) * metaPerBlock;
        long res = Math.min(blocks, byI) * blockSize;
        return Math.min(res, Long.MAX_VALUE / 2);
    }

    long groupFirstBlock(int g) {
        return firstDataBlock + (long) g * blocksPerGroup;
    }

    int groupBlocks(int g) {
        if (g == groups - 1) return (int) (blocksCount - groupFirstBlock(g));
        return blocksPerGroup;
    }

    int groupOfBlock(long block) {
        return (int) ((block - firstDataBlock) / blocksPerGroup);
    }

    boolean bgHasSuper(int g) {
        return Ext2Layout.bgHasSuper(g, sparseSuper);
    }

    /** Blocks at the start of group g taken by the superblock, descriptors and reserved descriptors. */
    int superOverhead(int g) {
        return bgHasSuper(g) ? 1 + gdtBlocks + es.reservedGdtBlocks() : 0;
    }

    /** ext2_data_block_valid's negation: block belongs to the metadata of its group (or precedes the first group). */
    boolean isSystemBlock(long block) {
        if (block < firstDataBlock || block >= blocksCount) return true;
        int g = groupOfBlock(block);
        long first = groupFirstBlock(g);
        if (block < first + superOverhead(g)) return true;
        Ext2GroupDesc d = gd[g];
        if (block == d.blockBitmap() || block == d.inodeBitmap()) return true;
        return block >= d.inodeTable() && block < d.inodeTable() + itbPerGroup;
    }

    /** A block number that may be referenced by an inode at all. */
    boolean validDataBlock(long block) {
        return block >= firstDataBlock && block < blocksCount;
    }

    // ---------------------------------------------------------------- locking, time, errors

    public <T> T locked(Supplier<T> body) {
        synchronized (this) {
            return body.get();
        }
    }

    public void locked(Runnable body) {
        synchronized (this) {
            body.run();
        }
    }

    long nowNs() {
        return clock.getAsLong();
    }

    long nowSec() {
        return Math.floorDiv(clock.getAsLong(), 1_000_000_000L);
    }

    /**
     * ext2_error: one log line naming the function and the damage, then the filesystem stops
     * writing (what is dirty is dropped, never written) and the caller gets EIO.
     */
    KernelError error(String function, String message) {
        String line = "EXT2-fs error (device " + devName + "): " + function + ": " + message;
        if (!errors) {
            errors = true;
            log.error("{}; the filesystem is now read-only and nothing more is written to it", line);
            readOnly = true;
            bc.discardAll();
            dirtyInodes.clear();
        } else {
            log.error(line);
        }
        return Errno.EIO.error(line);
    }

    /** Modifying operations first check this: EROFS on a read-only mount or after an error. */
    void checkWritable() {
        if (readOnly) throw Errno.EROFS.error("read-only file system");
    }

    public boolean errorsSeen() {
        return errors;
    }

    // ---------------------------------------------------------------- bitmaps

    BufferHead blockBitmap(int g) {
        BufferHead bh = bc.bread(gd[g].blockBitmap());
        if (!bh.checked()) {
            // ext2_valid_block_bitmap: the group's own metadata must be marked in use
            long first = groupFirstBlock(g);
            Ext2GroupDesc d = gd[g];
            boolean ok = Bitmap.test(bh.data, (int) (d.blockBitmap() - first))
                    && Bitmap.test(bh.data, (int) (d.inodeBitmap() - first));
            for (int i = 0; ok && i < itbPerGroup; i++) ok = Bitmap.test(bh.data, (int) (d.inodeTable() - first + i));
            if (!ok) throw error("ext2_valid_block_bitmap", "Invalid block bitmap - block_group = " + g + ", block = " + d.blockBitmap());
            bh.setChecked(true);
        }
        return bh;
    }

    BufferHead inodeBitmap(int g) {
        return bc.bread(gd[g].inodeBitmap());
    }

    // ---------------------------------------------------------------- inodes

    /** iget for a number found on disk: out-of-range numbers are damage, reported as EIO. */
    Ext2Inode iget(long ino) {
        Ext2Inode i = icache.get(ino);
        if (i != null) return i;
        return igetChecked(ino);
    }

    private Ext2Inode igetChecked(long ino) {
        if (ino < 1 || ino > inodesCount || (ino < firstIno && ino != ROOT_INO && ino != 11 && ino != RESIZE_INO)) {
            throw error("ext2_get_inode", "bad inode number: " + ino);
        }
        Ext2Inode i = icache.get(ino);
        if (i != null) return i;
        BufferHead bh = bc.bread(inodeBlock(ino));
        i = new Ext2Inode(this, ino);
        i.read(bh.data, inodeOffset(ino));
        Ext2Mount.checkInode(this, i);
        icache.put(ino, i);
        slab.charge(ksim.fs.VfsSlab.Kind.INODE, i);
        return i;
    }

    long inodeBlock(long ino) {
        int g = (int) ((ino - 1) / inodesPerGroup);
        long index = (ino - 1) % inodesPerGroup;
        return gd[g].inodeTable() + index * inodeSize / blockSize;
    }

    int inodeOffset(long ino) {
        long index = (ino - 1) % inodesPerGroup;
        return (int) ((index * inodeSize) % blockSize);
    }

    /** A freshly allocated inode, registered in the inode cache. */
    void icacheAdd(Ext2Inode i) {
        icache.put(i.ino, i);
        slab.charge(ksim.fs.VfsSlab.Kind.INODE, i);
    }

    void icacheRemove(Ext2Inode i) {
        rsv.discard(i.rsv);
        icache.remove(i.ino);
        slab.uncharge(ksim.fs.VfsSlab.Kind.INODE, i);
        dirtyInodes.remove(i);
        dropIndex(i);
    }

    /** mark_inode_dirty. */
    void markDirty(Ext2Inode i) {
        dirtyInodes.add(i);
    }

    /** ext2_write_inode for every dirty inode: their fields go into the inode table buffers. */
    void writeInodes() {
        for (Ext2Inode i : dirtyInodes) writeInode(i);
        dirtyInodes.clear();
    }

    void writeInode(Ext2Inode i) {
        BufferHead bh = bc.bread(inodeBlock(i.ino));
        i.write(bh.data, inodeOffset(i.ino));
        bc.markDirty(bh);
    }

    // ---------------------------------------------------------------- directory indexes

    void indexBuilt(Ext2Inode dir, int entries) {
        indexed.put(dir, Boolean.TRUE);
        indexedEntries += entries;
        while (indexedEntries > INDEXED_ENTRIES_LIMIT && indexed.size() > 1) {
            Ext2Inode eldest = indexed.keySet().iterator().next();
            if (eldest == dir) break;
            dropIndex(eldest);
        }
    }

    void indexTouched(Ext2Inode dir, int delta) {
        indexed.get(dir);
        indexedEntries += delta;
    }

    void dropIndex(Ext2Inode dir) {
        if (indexed.remove(dir) != null && dir.index != null) {
            indexedEntries -= dir.index.size();
            dir.index = null;
        }
    }

    // ---------------------------------------------------------------- superblock, sync

    /** Descriptors and the summary counters go into their buffers (ext2_sync_super). */
    private void writeSuper() {
        for (int g = 0; g < groups; g++) {
            Ext2GroupDesc d = gd[g];
            if (!d.dirty) continue;
            long blk = firstDataBlock + 1 + g / descPerBlock;
            BufferHead bh = bc.bread(blk);
            System.arraycopy(d.raw, 0, bh.data, (g % descPerBlock) * Ext2GroupDesc.SIZE, Ext2GroupDesc.SIZE);
            bc.markDirty(bh);
            d.dirty = false;
        }
        es.setFreeBlocksCount(freeBlocks);
        es.setFreeInodesCount(freeInodes);
        es.setWtime(nowSec());
        long sbBlock = Ext2SuperBlock.OFFSET / blockSize;
        int sbOff = Ext2SuperBlock.OFFSET % blockSize;
        BufferHead bh = bc.bread(sbBlock);
        System.arraycopy(es.raw, 0, bh.data, sbOff, Ext2SuperBlock.SIZE);
        bc.markDirty(bh);
        sbDirty = false;
    }

    void markSuperDirty() {
        sbDirty = true;
    }

    /** Something waits to be written. */
    public synchronized boolean dirty() {
        if (readOnly) return false;
        if (!dirtyInodes.isEmpty() || sbDirty || bc.dirtyCount() > 0) return true;
        for (Ext2GroupDesc d : gd) if (d.dirty) return true;
        return false;
    }

    @Override
    public synchronized void syncFs(boolean wait) {
        if (readOnly || closed) return;
        writeInodes();
        writeSuper();
        bc.syncDirty();
        if (wait) dev.flush();
    }

    /**
     * Periodic writeback (the flusher threads): if anything has been dirty for longer than
     * maxAgeNs, write everything back, without waiting for the disk.
     */
    public synchronized void writebackExpired(long maxAgeNs) {
        if (readOnly || closed) return;
        long oldest = bc.oldestDirty();
        boolean old = oldest >= 0 && System.nanoTime() - oldest > maxAgeNs;
        if (old || (!dirtyInodes.isEmpty() && bc.dirtyCount() == 0)) syncFs(false);
    }

    /**
     * ext2_put_super: write everything back, then the superblock marked clean, wait for the disk
     * once, release the image. Like fs/ext2 there is no cache flush between the data and the
     * clean flag (ext2 makes no promise across a power cut), but the flag is written last.
     */
    @Override
    public synchronized void putSuper() {
        if (closed) return;
        try {
            if (!readOnly) {
                writeInodes();
                writeSuper();
                bc.syncDirty();
                es.setState(es.state() | Ext2SuperBlock.VALID_FS);
                writeSuper();
                bc.syncDirty();
                dev.flush();
            }
        } finally {
            closed = true;
            dev.close();
        }
    }

    @Override
    public synchronized Kstatfs statfs() {
        long overhead = es.overheadClusters();
        if (overhead == 0) {
            overhead = firstDataBlock;
            for (int g = 0; g < groups; g++) overhead += superOverhead(g) + 2 + itbPerGroup;
        }
        long bavail = Math.max(0, freeBlocks - es.rBlocksCount());
        return new Kstatfs(blockSize, blocksCount - overhead, freeBlocks, bavail, inodesCount, freeInodes, 255);
    }

    /** Charges the inodes and buffers held now, and every later one, to a kernel's slab caches. */
    public synchronized void setSlab(ksim.fs.VfsSlab s) {
        slab = s;
        for (Ext2Inode i : icache.values()) s.charge(ksim.fs.VfsSlab.Kind.INODE, i);
        bc.setSlab(s);
    }

    // ---------------------------------------------------------------- SuperBlock

    @Override
    public String type() {
        return "ext2";
    }

    @Override
    public Inode root() {
        return locked(() -> iget(ROOT_INO));
    }

    @Override
    public boolean synthetic() {
        return false;
    }

    /** ksim is the only writer of the image while it is mounted: everything may be cached long. */
    @Override
    public int cacheSeconds() {
        return 86400;
    }

    @Override
    public boolean cachesDentries() {
        return true;
    }

    boolean reservations() {
        return reservations;
    }

    void setReservations(boolean on) {
        reservations = on;
    }

    @Override
    public boolean readOnly() {
        return readOnly;
    }

    public FileSystems.Type fsType() {
        return new FileSystems.Type("ext2", true);
    }

    /** Counters for tests: free blocks and inodes as the descriptors say. */
    public synchronized long freeBlocks() {
        return freeBlocks;
    }

    public synchronized long freeInodes() {
        return freeInodes;
    }

    public int blockSize() {
        return blockSize;
    }

    /** The device the filesystem lives on (s_bdev). */
    public BlockDevice device() {
        return dev;
    }

    public synchronized Map<String, Long> stats() {
        Map<String, Long> m = new LinkedHashMap<>(bc.stats());
        m.put("inodes_cached", (long) icache.size());
        m.put("indexed_dirs", (long) indexed.size());
        return m;
    }

    /** The inodes currently in memory, for tests. */
    synchronized List<Ext2Inode> cachedInodes() {
        return new ArrayList<>(icache.values());
    }
}
