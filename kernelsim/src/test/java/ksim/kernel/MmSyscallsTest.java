package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.errnoOf;
import static ksim.kernel.TestKernels.spawnSmall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import ksim.mm.Mman;
import ksim.mm.MmStruct;
import ksim.mm.VmStat;
import ksim.mm.VmStat.Item;
import ksim.mm.Vma;
import org.junit.jupiter.api.Test;

/** brk, mmap, munmap and touch on tasks, and the global page counters they feed. */
class MmSyscallsTest {
    private final Kernel k = boot();
    private final MmSyscalls sys = k.mmSyscalls();

    /** Every distinct mm of a live process, each once (threads share theirs). */
    private Set<MmStruct> liveMms() {
        Set<MmStruct> mms = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Task t : k.pids().allTasks()) if (t.mm() != null) mms.add(t.mm());
        return mms;
    }

    private void assertGlobalCountersMatchTheMms() {
        long anon = 0, file = 0, shmem = 0, pt = 0;
        for (MmStruct mm : liveMms()) {
            anon += mm.rssAnon();
            file += mm.rssFile();
            shmem += mm.rssShmem();
            pt += mm.pgtablesBytes() / Param.PAGE_SIZE;
        }
        VmStat vm = k.vmstat();
        assertEquals(anon, vm.get(Item.NR_ANON_MAPPED), "AnonPages is the sum of the mms' anonymous pages");
        assertEquals(file, vm.get(Item.NR_FILE_MAPPED), "Mapped is fed by the mms' file pages");
        assertEquals(shmem, vm.get(Item.NR_SHMEM));
        assertEquals(pt, vm.get(Item.NR_PAGETABLE), "PageTables is the sum of the mms' page tables");
    }

    @Test
    void touchingAnonymousMemoryRaisesAnonPagesAndMinorFaults() {
        Task t = spawnSmall(k, "worker");
        long anon0 = k.vmstat().get(Item.NR_ANON_MAPPED);
        long flt0 = t.minFlt();
        long a = sys.mmap(t, 0, 1 << 20, "rw", "private,anonymous", null, 0);
        assertEquals(anon0, k.vmstat().get(Item.NR_ANON_MAPPED), "mapping alone allocates nothing");
        assertEquals(256, sys.touch(t, a, 1 << 20, true));
        assertEquals(anon0 + 256, k.vmstat().get(Item.NR_ANON_MAPPED));
        assertEquals(flt0 + 256, t.minFlt());
        sys.munmap(t, a, 1 << 19);
        assertEquals(anon0 + 128, k.vmstat().get(Item.NR_ANON_MAPPED));
        assertGlobalCountersMatchTheMms();
    }

    @Test
    void brkAndSbrk() {
        Task t = spawnSmall(k, "heapy");
        long brk = sys.brk(t, 0);
        assertEquals(t.mm().brk(), brk);
        assertEquals(brk, sys.sbrk(t, 64 * 1024), "sbrk returns the old break");
        assertEquals(brk + 64 * 1024, sys.brk(t, 0));
        sys.touch(t, brk, 64 * 1024, true);
        assertEquals(Errno.ENOMEM, errnoOf(() -> sys.sbrk(t, -(1L << 40))), "below start_brk");
        assertEquals(brk + 64 * 1024, sys.brk(t, 1), "a refused brk answers the current break");
        assertEquals(brk, sys.brk(t, brk));
        assertGlobalCountersMatchTheMms();
    }

    @Test
    void deadTasksAndKernelThreadsHaveNoAddressSpaceToChange() {
        Task t = spawnSmall(k, "gone");
        k.exitAndRelease(t, 0);
        assertEquals(Errno.ESRCH, errnoOf(() -> sys.brk(t, 0)));
        Task kswapd = byComm(k, "kswapd0");
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.mmap(kswapd, 0, 4096, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null, 0)));
        assertEquals(Errno.EINVAL, errnoOf(() -> sys.touch(kswapd, 0x400000, 1, false)));
    }

    @Test
    void aFailedCallLeavesCountersAlone() {
        Task t = spawnSmall(k, "careful");
        long anon = k.vmstat().get(Item.NR_ANON_MAPPED);
        long committed = k.vmstat().committedAs();
        long vm = t.mm().totalVm();
        assertEquals(Errno.ENOMEM, errnoOf(() -> sys.mmap(t, 0, k.vmstat().totalRamPages() * 4096 * 2, "rw", "private,anonymous", null, 0)),
                "more than all RAM in one private writable mapping");
        assertEquals(Errno.EFAULT, errnoOf(() -> sys.touch(t, 0x10000, 4096, false)));
        assertEquals(vm, t.mm().totalVm());
        assertEquals(anon, k.vmstat().get(Item.NR_ANON_MAPPED));
        assertEquals(committed, k.vmstat().committedAs());
    }

    @Test
    void committedMemoryFollowsDataAndStack() {
        Task t = spawnSmall(k, "committer");
        long before = k.vmstat().committedAs();
        sys.mmap(t, 0, 4 << 20, "rw", "private,anonymous", null, 0);
        assertEquals(before + 1024, k.vmstat().committedAs());
    }

    @Test
    void forkedChildrenChangeTheirOwnCopy() {
        Task parent = spawnSmall(k, "parent");
        Task child = k.fork.process(parent, 0);
        assertNotSame(parent.mm(), child.mm());
        long parentVm = parent.mm().totalVm();
        long a = sys.mmap(child, 0, 1 << 16, "rw", "private,anonymous", null, 0);
        sys.touch(child, a, 1 << 16, true);
        assertEquals(parentVm, parent.mm().totalVm());
        assertEquals(parentVm + 16, child.mm().totalVm());
        assertGlobalCountersMatchTheMms();
    }

    @Test
    void exitGivesEveryPageBack() {
        long anon = k.vmstat().get(Item.NR_ANON_MAPPED);
        long file = k.vmstat().get(Item.NR_FILE_MAPPED);
        long pt = k.vmstat().get(Item.NR_PAGETABLE);
        long shmem = k.vmstat().get(Item.NR_SHMEM);
        Task t = spawnSmall(k, "temp");
        long a = sys.mmap(t, 0, 1 << 20, "rw", "shared,anonymous", null, 0);
        sys.touch(t, a, 1 << 20, true);
        long f = sys.mmap(t, 0, 1 << 20, "r", "private", "/srv/big.dat", 0);
        sys.touch(t, f, 1 << 20, false);
        sys.brk(t, sys.brk(t, 0) + (1 << 20));
        k.exitAndRelease(t, 0);
        assertEquals(anon, k.vmstat().get(Item.NR_ANON_MAPPED));
        assertEquals(file, k.vmstat().get(Item.NR_FILE_MAPPED));
        assertEquals(pt, k.vmstat().get(Item.NR_PAGETABLE));
        assertEquals(shmem, k.vmstat().get(Item.NR_SHMEM));
    }

    @Test
    void rmapCountsTheMmsThatMapAFile() {
        Task a = spawnSmall(k, "reader-a");
        Task b = spawnSmall(k, "reader-b");
        long fa = sys.mmap(a, 0, 8192, "r", "private", "/srv/shared.idx", 0);
        long fb = sys.mmap(b, 0, 8192, "r", "private", "/srv/shared.idx", 0);
        Vma va = a.mm().vmaAt(fa);
        assertEquals(1, sys.rmap().mappers(va), "mapped but nothing present: only the asker");
        sys.touch(a, fa, 8192, false);
        assertEquals(1, sys.rmap().mappers(va));
        sys.touch(b, fb, 4096, false);
        assertEquals(2, sys.rmap().mappers(va));
        k.exitAndRelease(b, 0);
        assertEquals(1, sys.rmap().mappers(va));
        Set<Integer> libcMappers = new HashSet<>();
        for (Vma v : a.mm().vmas()) if (v.file() != null && v.file().path().endsWith("/libc.so.6")) libcMappers.add(sys.rmap().mappers(v));
        assertTrue(libcMappers.stream().allMatch(n -> n > 10), "every process of the demo maps libc: " + libcMappers);
    }
}
