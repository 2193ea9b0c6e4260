package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import ksim.kernel.Clock;
import ksim.kernel.Cred;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.KernelError;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import ksim.mm.VmStat.Item;
import org.junit.jupiter.api.Test;

/** The page counters meminfo is derived from: free is what every consumer leaves. */
class VmStatTest {
    private static Kernel boot() {
        return Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL)
                .withBootEpochMs(1_700_000_000_000L).withSeed(42));
    }

    /** Every page in use, from the items: what the page allocator has handed out. */
    private static long used(VmStat vm) {
        return vm.get(Item.NR_FILE_PAGES) + vm.get(Item.NR_ANON_MAPPED) + vm.get(Item.NR_SLAB_RECLAIMABLE)
                + vm.get(Item.NR_SLAB_UNRECLAIMABLE) + vm.get(Item.NR_KERNEL_STACK_KB) / 4 + vm.get(Item.NR_PAGETABLE)
                + vm.vmallocPages();
    }

    private static Map<Item, Long> snapshot(VmStat vm) {
        Map<Item, Long> m = new EnumMap<>(Item.class);
        for (Item i : Item.values()) m.put(i, vm.get(i));
        return m;
    }

    @Test
    void freePlusUsedIsTotal() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        assertEquals(vm.totalRamPages(), vm.freePages() + used(vm));
        assertTrue(vm.freePages() > 0);
        // 4 GiB minus what memblock kept: the legacy hole and first MiB, the kernel, mem_map, percpu, swiotlb.
        long reserved = 0;
        for (Memblock.Region r : vm.node().memblock().reserved()) reserved += vm.node().memblock().presentPages(r.base(), r.end());
        assertEquals(4L * 1024 * 1024 / 4 - 98 - reserved, vm.totalRamPages());
        assertEquals(vm.totalRamPages(), vm.node().managedPages());
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
        assertTrue(vm.get(Item.NR_BUFFERS) <= vm.get(Item.NR_FILE_PAGES), "buffers are part of the page cache");
        assertEquals(0, vm.get(Item.NR_KERNEL_STACK_KB) % 16, "16 KiB per task");
        assertEquals(k.pids().nrThreads() * 16L, vm.get(Item.NR_KERNEL_STACK_KB), "one kernel stack per task");
    }

    @Test
    void availableAndMappedBounds() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        assertTrue(vm.availablePages() <= vm.totalRamPages());
        assertTrue(vm.availablePages() >= vm.freePages() - vm.lowWatermarkPages());
        assertTrue(vm.mappedPages() <= vm.get(Item.NR_FILE_PAGES));
        assertTrue(vm.mappedPages() > 0, "processes map their libraries");
        PreforkPool.start(k, 300);
        // 300 workers map 1300 file pages each: more than the page cache, so Mapped is capped.
        assertTrue(vm.get(Item.NR_FILE_MAPPED) > vm.get(Item.NR_FILE_PAGES));
        assertEquals(vm.get(Item.NR_FILE_PAGES), vm.mappedPages());
        assertTrue(vm.availablePages() <= vm.totalRamPages());
        assertEquals(vm.totalRamPages(), vm.freePages() + used(vm));
    }

    @Test
    void spawningTakesPagesAndExitGivesThemBackExactly() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        long free0 = vm.freePages();
        long committed0 = vm.committedAs();
        Map<Item, Long> items0 = snapshot(vm);
        long slab0 = slab(vm);
        Task master = PreforkPool.start(k, 100);
        long free1 = vm.freePages();
        long slab1 = slab(vm);
        // Each worker: 1600 KiB anon (400 pages) + a 16 KiB stack (4) + its task_struct, mm_struct, VMAs... in slab.
        assertTrue(free0 - free1 >= 100 * (400 + 4) + (slab1 - slab0), "free fell by " + (free0 - free1));
        assertTrue(slab1 - slab0 >= 100 * (4288 + 1600 + 1152 + 2112) / 4096, "slab grew by " + (slab1 - slab0));
        assertEquals(vm.totalRamPages(), free1 + used(vm));
        assertTrue(vm.committedAs() > committed0);

        List<Task> workers = new ArrayList<>(master.children());
        assertEquals(100, workers.size());
        k.locked(() -> {
            for (Task w : workers) k.exitAndRelease(w, 0);
            k.exitAndRelease(master, 0);
        });
        // SLUB keeps some emptied slabs (CPU slabs, partial lists up to min_partial): every page
        // that is not slab comes back, and slab shrinks without reaching its old size exactly.
        long slab2 = slab(vm);
        assertEquals(free0 + slab0, vm.freePages() + slab2, "every page comes back to free or stays slab");
        assertTrue(slab2 < slab1, "freed objects gave slab pages back");
        Map<Item, Long> items2 = snapshot(vm);
        items0.remove(Item.NR_SLAB_RECLAIMABLE);
        items0.remove(Item.NR_SLAB_UNRECLAIMABLE);
        items2.remove(Item.NR_SLAB_RECLAIMABLE);
        items2.remove(Item.NR_SLAB_UNRECLAIMABLE);
        assertEquals(items0, items2);
        assertEquals(committed0, vm.committedAs());
    }

    private static long slab(VmStat vm) {
        return vm.get(Item.NR_SLAB_RECLAIMABLE) + vm.get(Item.NR_SLAB_UNRECLAIMABLE);
    }

    @Test
    void itemsCannotGoNegative() {
        VmStat vm = new VmStat(1024 * 1024);
        vm.add(Item.NR_DIRTY, 5);
        assertThrows(IllegalStateException.class, () -> vm.add(Item.NR_DIRTY, -6));
        assertEquals(5, vm.get(Item.NR_DIRTY), "a refused change leaves the value");
    }

    @Test
    void minFreeKbytes() {
        VmStat vm = new VmStat(4L * 1024 * 1024);
        // THP is on: khugepaged raised it to 2 + 9 pageblocks for each of the three zones.
        assertEquals(3L * (2 + 9) * 512 * 4, vm.minFreeKbytes());
        long low = 0;
        for (Zone z : vm.node().zones()) low += z.watermark(Zone.WMARK_LOW);
        assertEquals(low, vm.lowWatermarkPages());
        KernelError e = assertThrows(KernelError.class, () -> vm.setMinFreeKbytes(-1));
        assertEquals(Errno.EINVAL, e.errno());
        vm.setMinFreeKbytes(0);
        assertEquals(0, vm.minFreeKbytes());
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> vm.setMinFreeKbytes(1L << 31)).errno());
        vm.setMinFreeKbytes(vm.totalRamPages() * 8);
        assertEquals(Errno.ENOMEM, assertThrows(KernelError.class, () -> vm.buddy().allocPages(PageSource.Gfp.KERNEL, 0)).errno(),
                "watermarks above all memory: nothing can be allocated");
    }

    @Test
    void availableNeverNegative() {
        VmStat vm = new VmStat(128 * 1024);
        vm.setMinFreeKbytes(0);
        List<long[]> taken = new ArrayList<>();
        assertThrows(KernelError.class, () -> {
            while (true) taken.add(vm.folios().allocPages(PageUse.ANON, 64, 6));
        });
        assertTrue(vm.freePages() < 64 + vm.totalRamPages() / 100, "memory is used up: " + vm.freePages());
        assertEquals(0, vm.availablePages());
        for (long[] f : taken) vm.folios().freeAll(PageUse.ANON, f);
        assertEquals(vm.totalRamPages(), vm.freePages());
    }

    @Test
    void programSizesMustBeWholePages() {
        assertThrows(IllegalArgumentException.class, () -> new Program("/x", 41, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Program("/x", -4, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void mmLoadCountsPagesFromTheProgram() {
        Program p = Program.small("/usr/bin/x", 1000, 2000, 0);
        MmStruct mm = MmStruct.load(p, new byte[] {'x', 0}, new byte[0]);
        assertEquals(250, mm.rssAnon());
        assertEquals(500, mm.rssFile());
        assertEquals(750, mm.rss());
        assertEquals((p.mappedKb() + Specials.TOTAL_KB) / 4, mm.totalVm(), "the image and the vDSO pages");
        assertEquals(p.textKb() / 4, mm.textPages());
        assertEquals(2, mm.argEnd() - mm.argStart());
        mm.setArgs(new byte[] {'a', 'b', 'c', 0});
        assertEquals(4, mm.argEnd() - mm.argStart());
    }

    @Test
    void shmemPagesAreUsedMemory() {
        Kernel k = boot();
        VmStat vm = k.vmstat();
        long free0 = vm.freePages();
        Program p = new Program("/usr/bin/pg", 40, 16, 2048, 132, 132, 1024, 400, 800, 40 * 1024, 3);
        k.spawn(k.initTask(), p, List.of("pg"), List.of(), Cred.ROOT);
        assertTrue(vm.get(Item.NR_SHMEM) <= vm.get(Item.NR_FILE_PAGES), "shmem is part of the page cache");
        assertTrue(free0 - vm.freePages() >= 10240 + 100, "free fell by only " + (free0 - vm.freePages()));
    }
}
