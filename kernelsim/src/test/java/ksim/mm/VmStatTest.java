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

    /** Everything freePages() must subtract, from the items. */
    private static long used(VmStat vm) {
        return vm.get(Item.NR_FILE_PAGES) + vm.get(Item.NR_ANON_MAPPED) + vm.get(Item.NR_SLAB_RECLAIMABLE)
                + vm.get(Item.NR_SLAB_UNRECLAIMABLE) + vm.get(Item.NR_KERNEL_STACK_KB) / 4 + vm.get(Item.NR_PAGETABLE);
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
        // 4 GiB minus the 2% reservation
        assertEquals((4L * 1024 * 1024 - 4L * 1024 * 1024 / 50) / 4, vm.totalRamPages());
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
        Task master = PreforkPool.start(k, 100);
        long free1 = vm.freePages();
        // Each worker: 1600 KiB anon (400 pages) + a 16 KiB stack (4) + 20 KiB of slab (5).
        assertTrue(free0 - free1 >= 100 * (400 + 4 + 5), "free fell by " + (free0 - free1));
        assertEquals(vm.totalRamPages(), free1 + used(vm));
        assertTrue(vm.committedAs() > committed0);

        List<Task> workers = new ArrayList<>(master.children());
        assertEquals(100, workers.size());
        k.locked(() -> {
            for (Task w : workers) k.exitAndRelease(w, 0);
            k.exitAndRelease(master, 0);
        });
        assertEquals(free0, vm.freePages(), "every page comes back");
        assertEquals(items0, snapshot(vm));
        assertEquals(committed0, vm.committedAs());
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
        long lowmem = 4L * 1024 * 1024 - 4L * 1024 * 1024 / 50;
        assertEquals((long) Math.sqrt(lowmem * 16.0), vm.minFreeKbytes());
        long min = vm.minFreeKbytes() / 4;
        assertEquals(min + min / 4, vm.lowWatermarkPages());
        KernelError e = assertThrows(KernelError.class, () -> vm.setMinFreeKbytes(-1));
        assertEquals(Errno.EINVAL, e.errno());
        vm.setMinFreeKbytes(0);
        assertEquals(0, vm.minFreeKbytes());
        assertEquals(Errno.EINVAL, assertThrows(KernelError.class, () -> vm.setMinFreeKbytes(vm.totalRamPages() * 4 + 1)).errno());
    }

    @Test
    void availableNeverNegative() {
        VmStat vm = new VmStat(64 * 1024);
        vm.add(Item.NR_ANON_MAPPED, vm.totalRamPages());
        assertEquals(0, vm.freePages());
        assertEquals(0, vm.availablePages());
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
