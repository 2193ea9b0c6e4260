package ksim.fs.sysfs.slab;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import ksim.fs.Caller;
import ksim.fs.DirEmitter;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.SimpleSymlink;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.mm.slub.KmemCache;

/**
 * /sys/kernel/slab (mm/slub.c slab_kset): one directory per kmem_cache, named by the cache or,
 * for a mergeable cache, by its unique id; and one symlink per name that resolves to a
 * mergeable cache, whose target is the bare id. readdir reports each entry's type, which
 * tools/mm/slabinfo relies on.
 */
public final class SlabRoot implements Inode {
    private static final long LINK_INO_BASE = 0x6000_0000L;

    private final Kernel kernel;
    private final long ino;
    private final long parentIno;
    private final long mtimeNs;
    private final Map<String, Long> linkInos = new ConcurrentHashMap<>();
    private final AtomicLong nextLinkIno = new AtomicLong(LINK_INO_BASE);

    public SlabRoot(Kernel kernel, long ino, long parentIno) {
        this.kernel = kernel;
        this.ino = ino;
        this.parentIno = parentIno;
        this.mtimeNs = kernel.clock().bootEpochNanos();
    }

    @Override
    public InodeAttr getattr() {
        int dirs = kernel.slub().sysfsDirCount();
        return new InodeAttr(ino, Mode.S_IFDIR | 0755, 2 + dirs, 0, 0, 0, mtimeNs);
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        KmemCache s = kernel.slub().sysfsDir(name);
        if (s != null) return new SlabCacheDir(kernel, s, ino, mtimeNs);
        String target = kernel.slub().sysfsLink(name);
        if (target != null) return link(name, target);
        throw Errno.ENOENT.error(name);
    }

    private Inode link(String name, String target) {
        long li = linkInos.computeIfAbsent(name, n -> nextLinkIno.getAndIncrement());
        return new SimpleSymlink(li, mtimeNs, () -> target);
    }

    /** One entry of the listing: name, inode, mode. */
    private record Entry(String name, long ino, int mode) {}

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        List<Entry> entries = kernel.locked(() -> {
            SortedMap<String, KmemCache> dirs = kernel.slub().sysfsDirs();
            SortedMap<String, String> links = kernel.slub().sysfsLinks();
            List<Entry> list = new ArrayList<>(dirs.size() + links.size());
            for (var e : dirs.entrySet()) {
                list.add(new Entry(e.getKey(), SlabCacheDir.INO_BASE + (long) e.getValue().serial() * 64, Mode.S_IFDIR | 0755));
            }
            for (var e : links.entrySet()) {
                if (dirs.containsKey(e.getKey())) continue;
                list.add(new Entry(e.getKey(), linkInos.computeIfAbsent(e.getKey(), n -> nextLinkIno.getAndIncrement()),
                        Mode.S_IFLNK | 0777));
            }
            list.sort((a, b) -> a.name().compareTo(b.name()));
            return list;
        });
        if (!out.emit(".", ino, Mode.S_IFDIR | 0755)) return;
        if (!out.emit("..", parentIno, Mode.S_IFDIR | 0755)) return;
        for (Entry e : entries) if (!out.emit(e.name(), e.ino(), e.mode())) return;
    }
}
