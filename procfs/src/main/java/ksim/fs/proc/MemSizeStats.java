package ksim.fs.proc;

import ksim.kernel.Param;
import ksim.mm.PageKind;
import ksim.mm.Rmap;
import ksim.mm.Vma;
import ksim.mm.VmFlags;

/**
 * struct mem_size_stats of fs/proc/task_mmu.c: what smaps_account() adds up for one VMA or,
 * summed, for a whole mm (smaps_rollup). Sizes in bytes; the proportional sizes in bytes
 * shifted left by PSS_SHIFT, so that pages shared by n mms add their 1/n exactly as Linux
 * rounds it.
 */
final class MemSizeStats {
    static final int PSS_SHIFT = 12;

    long resident;
    long sharedClean;
    long sharedDirty;
    long privateClean;
    long privateDirty;
    long referenced;
    long anonymous;
    long swap;
    long pss;
    long pssDirty;
    long pssAnon;
    long pssFile;
    long pssShmem;
    long swapPss;
    long pssLocked;

    /** smaps_account() for every present page of v; mappers says how many mms share its pages. */
    static MemSizeStats of(Vma v, Rmap rmap) {
        MemSizeStats m = new MemSizeStats();
        m.add(v, rmap);
        return m;
    }

    void add(Vma v, Rmap rmap) {
        int mappers = rmap.mappers(v);
        boolean locked = v.has(VmFlags.VM_LOCKED);
        for (PageKind kind : PageKind.values()) {
            long pages = v.residentPages().count(kind);
            if (pages == 0) continue;
            long bytes = pages * Param.PAGE_SIZE;
            // Private anonymous pages are mapped once; the others as often as their file is.
            int n = kind == PageKind.ANON || kind == PageKind.SWAP ? 1 : mappers;
            long pssPart = pages * (((long) Param.PAGE_SIZE << PSS_SHIFT) / n);
            if (kind == PageKind.SWAP) {
                swap += bytes;
                swapPss += pssPart;
                continue;
            }
            resident += bytes;
            referenced += bytes;
            pss += pssPart;
            if (locked) pssLocked += pssPart;
            boolean dirty = kind.dirty();
            if (dirty) pssDirty += pssPart;
            if (n >= 2) {
                if (dirty) sharedDirty += bytes;
                else sharedClean += bytes;
            } else if (dirty) {
                privateDirty += bytes;
            } else {
                privateClean += bytes;
            }
            switch (kind) {
                case ANON -> {
                    anonymous += bytes;
                    pssAnon += pssPart;
                }
                case SHMEM -> pssShmem += pssPart;
                default -> pssFile += pssPart;
            }
        }
    }

    void add(MemSizeStats o) {
        resident += o.resident;
        sharedClean += o.sharedClean;
        sharedDirty += o.sharedDirty;
        privateClean += o.privateClean;
        privateDirty += o.privateDirty;
        referenced += o.referenced;
        anonymous += o.anonymous;
        swap += o.swap;
        pss += o.pss;
        pssDirty += o.pssDirty;
        pssAnon += o.pssAnon;
        pssFile += o.pssFile;
        pssShmem += o.pssShmem;
        swapPss += o.swapPss;
        pssLocked += o.pssLocked;
    }
}
