package ksim.fs.sysfs.slab;

import java.nio.charset.StandardCharsets;
import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.sysfs.KernfsAttr;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.mm.slub.KmemCache;

/**
 * /sys/kernel/slab/<cache>/ (mm/slub.c sysfs_slab_add): the kobject of one kmem_cache and its
 * attribute files. Each read renders under the kernel lock, so one file never mixes states; a
 * cache destroyed meanwhile answers ENOENT.
 */
final class SlabCacheDir implements Inode {
    /** Inode numbers: each cache has a block of 64, the directory first, its attributes after. */
    static final long INO_BASE = 0x4000_0000L;

    private final Kernel kernel;
    private final KmemCache cache;
    private final long ino;
    private final long parentIno;
    private final long mtimeNs;

    SlabCacheDir(Kernel kernel, KmemCache cache, long parentIno, long mtimeNs) {
        this.kernel = kernel;
        this.cache = cache;
        this.ino = INO_BASE + (long) cache.serial() * 64;
        this.parentIno = parentIno;
        this.mtimeNs = mtimeNs;
    }

    @Override
    public InodeAttr getattr() {
        return new InodeAttr(ino, Mode.S_IFDIR | 0755, 2, 0, 0, 0, mtimeNs);
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        for (int i = 0; i < SlabAttributes.ALL.size(); i++) {
            if (SlabAttributes.ALL.get(i).name().equals(name)) return file(i);
        }
        throw Errno.ENOENT.error(name);
    }

    private Inode file(int i) {
        SlabAttributes.Attr a = SlabAttributes.ALL.get(i);
        KernfsAttr.Store store = a.store() == null ? null : buf -> kernel.locked(() -> {
            requireAlive();
            a.store().store(kernel.slub(), cache, buf);
        });
        return new KernfsAttr(ino + 1 + i, a.mode(), mtimeNs, () -> kernel.locked(() -> {
            requireAlive();
            return a.show().apply(new SlabAttributes.Ctx(kernel.slub(), cache)).getBytes(StandardCharsets.US_ASCII);
        }), store);
    }

    private void requireAlive() {
        if (!kernel.slub().alive(cache)) throw Errno.ENOENT.error("slab cache " + cache.name() + " was destroyed");
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        if (!out.emit(".", ino, Mode.S_IFDIR | 0755)) return;
        if (!out.emit("..", parentIno, Mode.S_IFDIR | 0755)) return;
        for (int i = 0; i < SlabAttributes.ALL.size(); i++) {
            SlabAttributes.Attr a = SlabAttributes.ALL.get(i);
            if (!out.emit(a.name(), ino + 1 + i, Mode.S_IFREG | a.mode())) return;
        }
    }
}
