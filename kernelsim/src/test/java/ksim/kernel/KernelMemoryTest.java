package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ksim.mm.BuddyCheck;
import ksim.mm.Folios;
import ksim.mm.MmStruct;
import ksim.mm.PageUse;
import ksim.mm.Program;
import ksim.mm.VmStat;
import ksim.mm.VmStat.Item;
import org.junit.jupiter.api.Test;

/** The kernel's memory comes from the page allocator: stacks, address spaces, boot's caches. */
class KernelMemoryTest {
    @Test
    void everyTaskHoldsItsOwnOrderTwoStack() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        Set<Long> stacks = new HashSet<>();
        for (Task t : k.pids().allTasks()) {
            assertEquals(Fork.THREAD_SIZE_ORDER, Folios.order(t.stack), t.toString());
            assertTrue(stacks.add(Folios.pfn(t.stack)), "two tasks share a stack");
            assertEquals(0, Folios.pfn(t.stack) % 4, "aligned to its size");
        }
        assertEquals(k.pids().nrThreads() * 4L, vm.folios().held(PageUse.KERNEL_STACK));
        assertEquals(k.pids().nrThreads() * (long) Param.THREAD_SIZE / 1024, vm.get(Item.NR_KERNEL_STACK_KB));
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }

    @Test
    void bootFillsThePageCacheSlabAndVmallocFromTheAllocator() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        long memMb = k.config().memoryKb() / 1024;
        assertEquals(Math.min(memMb / 256, 16) * 256, vm.get(Item.NR_BUFFERS));
        assertEquals(vm.pageCache().pages(), vm.get(Item.NR_FILE_PAGES) - vm.get(Item.NR_SHMEM));
        assertEquals(vm.get(Item.NR_FILE_PAGES) - vm.get(Item.NR_SHMEM), vm.get(Item.NR_ACTIVE_FILE) + vm.get(Item.NR_INACTIVE_FILE),
                "every cache page is on a file list");
        assertEquals(vm.get(Item.NR_ANON_MAPPED) + vm.get(Item.NR_SHMEM), vm.get(Item.NR_INACTIVE_ANON) + vm.get(Item.NR_ACTIVE_ANON));
        assertEquals(Boot.VMALLOC_PAGES, vm.vmallocPages());
        assertTrue(vm.get(Item.NR_SLAB_RECLAIMABLE) >= Math.min(memMb / 64, 48) * 256);
        assertEquals((vm.get(Item.NR_FILE_PAGES)) * 8 / 2, vm.events().shown(ksim.mm.VmEventItem.PGPGIN), "the cache was read from disk, in KiB");
        long used = vm.get(Item.NR_FILE_PAGES) + vm.get(Item.NR_ANON_MAPPED) + vm.get(Item.NR_SLAB_RECLAIMABLE)
                + vm.get(Item.NR_SLAB_UNRECLAIMABLE) + vm.get(Item.NR_KERNEL_STACK_KB) / 4 + vm.get(Item.NR_PAGETABLE) + vm.vmallocPages();
        assertEquals(vm.totalRamPages(), vm.freePages() + used);
    }

    @Test
    void forkWithoutMemoryFailsWithEnomemAndLeavesNothing() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        Task parent = TestKernels.byComm(k, "cron");
        int threads = k.pids().nrThreads();
        int lastPid = k.pids().lastPid();
        long forks = k.totalForks();
        long free = vm.freePages();
        long slab = vm.get(Item.NR_SLAB_UNRECLAIMABLE);
        vm.setMinFreeKbytes(vm.totalRamPages() * 8);
        assertEquals(Errno.ENOMEM, errnoOf(() -> k.spawn(parent, Program.small("/usr/bin/x", 100, 200, 3), List.of("x"), List.of(), Cred.ROOT)));
        assertEquals(Errno.ENOMEM, errnoOf(() -> k.cloneThread(parent, "t")));
        assertEquals(threads, k.pids().nrThreads());
        assertEquals(lastPid, k.pids().lastPid(), "no pid was handed out");
        assertEquals(forks, k.totalForks());
        assertEquals(free, vm.freePages());
        assertEquals(slab, vm.get(Item.NR_SLAB_UNRECLAIMABLE));
        vm.setMinFreeKbytes(1024);
        Task t = k.spawn(parent, Program.small("/usr/bin/x", 100, 200, 3), List.of("x"), List.of(), Cred.ROOT);
        assertNotEquals(lastPid, t.pid(), "with memory back, fork works");
    }

    @Test
    void forkCanFailInCopyMmAfterTheStackWasTaken() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        // A parent whose address space is larger than what is free: the stack fits, the copy does not.
        Program huge = new Program("/usr/bin/huge", 40, 16, 2048, 132, 132, 1024, (int) (vm.freePages() * 4 * 6 / 10) / 4 * 4, 800, 0, 3);
        Task parent = k.spawn(k.initTask(), huge, List.of("huge"), List.of(), Cred.ROOT);
        int threads = k.pids().nrThreads();
        long free = vm.freePages();
        long stacks = vm.folios().held(PageUse.KERNEL_STACK);
        assertEquals(Errno.ENOMEM, errnoOf(() -> new Syscalls(k).fork(parent)));
        assertEquals(threads, k.pids().nrThreads());
        assertEquals(free, vm.freePages());
        assertEquals(stacks, vm.folios().held(PageUse.KERNEL_STACK));
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }

    @Test
    void spawnBorrowsTheParentsMmInsteadOfCopyingIt() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        // The parent from above: fork cannot copy it, but posix_spawn (CLONE_VM|CLONE_VFORK) copies nothing.
        Program huge = new Program("/usr/bin/huge", 40, 16, 2048, 132, 132, 1024, (int) (vm.freePages() * 4 * 6 / 10) / 4 * 4, 800, 0, 3);
        Task parent = k.spawn(k.initTask(), huge, List.of("huge"), List.of(), Cred.ROOT);
        long anon = vm.folios().held(PageUse.ANON);
        Task child = k.spawn(parent, Program.small("/usr/bin/x", 100, 200, 3), List.of("x"), List.of(), Cred.ROOT);
        assertNotEquals(parent.mm(), child.mm());
        assertEquals(anon + child.mm().rssAnon(), vm.folios().held(PageUse.ANON), "only the child's own image is charged");
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }

    @Test
    void execWithoutMemoryKeepsTheOldImage() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        Task t = TestKernels.spawnSmall(k, "small");
        MmStruct before = t.mm();
        long free = vm.freePages();
        Program huge = new Program("/usr/bin/huge", 40, 16, 2048, 132, 132, 1024, (int) Math.min(Integer.MAX_VALUE / 8, vm.totalRamPages() * 4), 0, 0, 3);
        assertEquals(Errno.ENOMEM, errnoOf(() -> k.execve(t, huge, List.of("huge"), List.of())));
        assertSame(before, t.mm());
        assertEquals("small", t.commString());
        assertEquals(free, vm.freePages());
        assertTrue(vm.mmPages().charged(before));
    }

    @Test
    void aSpawnWhoseExecFailsGivesTheBorrowedMmBack() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        Task parent = TestKernels.byComm(k, "cron");
        MmStruct mm = parent.mm();
        int threads = k.pids().nrThreads();
        long free = vm.freePages();
        Program huge = new Program("/usr/bin/huge", 40, 16, 2048, 132, 132, 1024, (int) Math.min(Integer.MAX_VALUE / 8, vm.totalRamPages() * 4), 0, 0, 3);
        assertEquals(Errno.ENOMEM, errnoOf(() -> k.spawn(parent, huge, List.of("huge"), List.of(), Cred.ROOT)));
        assertSame(mm, parent.mm());
        assertTrue(vm.mmPages().charged(mm), "the parent's address space is still charged");
        assertEquals(threads, k.pids().nrThreads(), "the failed child was reaped");
        assertEquals(free, vm.freePages());
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }
}
