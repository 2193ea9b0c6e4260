package ksim.fs.proc;

import java.util.List;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.SeqFile;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.mm.slub.CacheStats;
import ksim.mm.slub.KmemCache;

/**
 * /proc/slabinfo (mm/slab_common.c slab_show, mm/slub.c get_slabinfo): version 2.1, one line
 * per cache newest first, the SLUB numbers in the SLAB-era columns. Root-only (0400); the open
 * succeeds for root and every write fails with EIO, as a proc file without a write method does.
 */
final class SlabInfo implements Inode {
    static final String HEADER = "slabinfo - version: 2.1\n"
            + "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
            + " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";

    private final Kernel kernel;
    private final InodeAttr attr;

    SlabInfo(Kernel kernel, long ino) {
        this.kernel = kernel;
        this.attr = new InodeAttr(ino, Mode.S_IFREG | 0400, 1, 0, 0, 0, kernel.clock().bootEpochNanos());
    }

    /**
     * The whole file, rendered under the kernel lock. Each line is
     * "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu".
     */
    static byte[] show(Kernel k) {
        return k.locked(() -> {
            List<KmemCache> caches = k.slub().caches();
            Text t = new Text().put(HEADER);
            for (int i = caches.size() - 1; i >= 0; i--) {
                KmemCache s = caches.get(i);
                CacheStats st = k.slub().stats(s);
                long slabs = CacheStats.sum(st.slabs());
                long total = CacheStats.sum(st.totalObjects());
                long active = total - CacheStats.sum(st.freePartialApprox());
                t.put(s.name());
                for (int pad = s.name().length(); pad < 17; pad++) t.put(' ');
                t.put(' ').padded(active, 6).put(' ').padded(total, 6).put(' ').padded(s.slabSize(), 6)
                        .put(' ').padded(s.objsPerSlab(), 4).put(' ').padded(1 << s.order(), 4)
                        .put(" : tunables    0    0    0 : slabdata ").padded(slabs, 6).put(' ').padded(slabs, 6)
                        .put(' ').padded(0, 6).put('\n');
            }
            return t.bytes();
        });
    }

    @Override
    public InodeAttr getattr() {
        return attr;
    }

    @Override
    public File open(int flags, Caller caller) {
        return new SeqFile(() -> show(kernel)) {
            @Override
            public int write(long offset, byte[] src, int len) {
                throw Errno.EIO.error("/proc/slabinfo has no write method");
            }
        };
    }

    /** O_TRUNC is accepted (the write that follows fails). */
    @Override
    public void truncate(long size) {}
}
