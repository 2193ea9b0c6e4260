package ksim.fs;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import ksim.kernel.Kernel;
import ksim.mm.slub.KmemCache;

/**
 * The VFS objects of one mounted superblock in the kernel's slab caches: kmem_cache_alloc on
 * charge, kmem_cache_free on uncharge, and at the last unmount everything still held goes back
 * (generic_shutdown_super: shrink_dcache_for_umount, evict_inodes, invalidate_bdev). Each
 * object's slab address is remembered by identity, so a double charge or a stray uncharge
 * changes nothing. Each call takes the kernel lock itself; callers may hold their filesystem's
 * lock (the order is filesystem, then kernel), so nothing under the kernel lock may wait for a
 * filesystem's lock.
 */
public final class KmemVfsSlab implements VfsSlab {
    private final Kernel kernel;
    private final Map<Kind, KmemCache> caches = new EnumMap<>(Kind.class);
    private final Map<Kind, IdentityHashMap<Object, Long>> held = new EnumMap<>(Kind.class);

    /** inodeCache: the filesystem's own inode cache (ext2_inode_cache); the others are the VFS's. */
    public KmemVfsSlab(Kernel kernel, String inodeCache) {
        this.kernel = kernel;
        caches.put(Kind.INODE, find(inodeCache));
        caches.put(Kind.DENTRY, find("dentry"));
        caches.put(Kind.BUFFER_HEAD, find("buffer_head"));
        caches.put(Kind.FILP, find("filp"));
        for (Kind k : Kind.values()) held.put(k, new IdentityHashMap<>());
    }

    private KmemCache find(String name) {
        KmemCache s = kernel.locked(() -> kernel.slub().find(name));
        if (s == null) throw new IllegalStateException("no slab cache " + name);
        return s;
    }

    @Override
    public void charge(Kind kind, Object obj) {
        kernel.locked(() -> {
            IdentityHashMap<Object, Long> m = held.get(kind);
            if (!m.containsKey(obj)) m.put(obj, kernel.slub().alloc(caches.get(kind), 0));
        });
    }

    @Override
    public void uncharge(Kind kind, Object obj) {
        kernel.locked(() -> {
            Long addr = held.get(kind).remove(obj);
            if (addr != null) kernel.slub().free(caches.get(kind), addr, 0);
        });
    }

    /** The objects of a kind held now. */
    public int held(Kind kind) {
        return kernel.locked(() -> held.get(kind).size());
    }

    /** kill_sb: every object still held goes back to its cache. */
    public void releaseAll() {
        kernel.locked(() -> {
            for (Kind k : Kind.values()) {
                List<Long> addrs = new ArrayList<>(held.get(k).values());
                held.get(k).clear();
                addrs.sort(null); // identity order differs run to run; SLUB's lists must not
                for (long a : addrs) kernel.slub().free(caches.get(k), a, 0);
            }
        });
    }
}
