package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import ksim.mm.PageSource.Gfp;
import org.junit.jupiter.api.Test;

/** Pages taken for a use, with their counters, LRU sizes and folio sizes. */
class FoliosTest {
    private static long zoneSum(PglistData node, ZoneStatItem item) {
        long n = 0;
        for (Zone z : node.zones()) n += z.stat(item);
        return n;
    }

    @Test
    void aUseIsCountedInItsItemsAndLruOfTheZoneItCameFrom() {
        VmStat vm = new VmStat(4L * 1024 * 1024);
        Folios f = vm.folios();
        long[] anon = f.allocPages(PageUse.ANON, 1000, MmPages.FOLIO_ORDER);
        long pages = 0;
        for (long folio : anon) {
            assertTrue(Folios.order(folio) <= MmPages.FOLIO_ORDER);
            pages += 1L << Folios.order(folio);
        }
        assertEquals(1000, pages);
        assertEquals(1000 / 16 + Integer.bitCount(1000 % 16), anon.length, "largest folios first");
        long[] shmem = f.allocPages(PageUse.SHMEM, 100, MmPages.FOLIO_ORDER);
        long stack = f.alloc(PageUse.KERNEL_STACK, 2);
        assertEquals(1000, vm.get(VmStat.Item.NR_ANON_MAPPED));
        assertEquals(100, vm.get(VmStat.Item.NR_SHMEM));
        assertEquals(100, vm.get(VmStat.Item.NR_FILE_PAGES), "shmem is page cache");
        assertEquals(1100, vm.get(VmStat.Item.NR_INACTIVE_ANON), "both on the anon list");
        assertEquals(16, vm.get(VmStat.Item.NR_KERNEL_STACK_KB));
        assertEquals(1100, zoneSum(vm.node(), ZoneStatItem.NR_ZONE_INACTIVE_ANON));
        assertEquals(1100, vm.node().zone(ZoneType.NORMAL).stat(ZoneStatItem.NR_ZONE_INACTIVE_ANON), "from Normal");
        assertEquals(vm.totalRamPages() - 1104, vm.freePages());
        f.freeAll(PageUse.ANON, anon);
        f.freeAll(PageUse.SHMEM, shmem);
        f.free(PageUse.KERNEL_STACK, stack);
        for (PageUse u : PageUse.values()) assertEquals(0, f.held(u), u.name());
        for (NodeStatItem i : NodeStatItem.values()) assertEquals(0, vm.node().stat(i), i.text);
        assertEquals(vm.totalRamPages(), vm.freePages());
    }

    @Test
    void largeFoliosFallBackToSmallerOnesWhenMemoryIsFragmented() {
        VmStat vm = new VmStat(128 * 1024);
        vm.setMinFreeKbytes(0);
        List<Long> singles = new ArrayList<>();
        long pfn;
        while ((pfn = vm.buddy().tryAllocPages(Gfp.KERNEL, 0)) >= 0) singles.add(pfn);
        Zone dma32 = vm.node().zone(ZoneType.DMA32);
        singles.removeIf(p -> !dma32.spans(p));
        singles.sort(null);
        // Free every other DMA32 page: plenty of free memory, no free block larger than one page
        // (DMA stays at its lowmem reserve, which movable allocations may not touch either).
        for (int i = 0; i < singles.size(); i += 2) vm.buddy().freePages(singles.get(i), 0);
        for (int o = 1; o < Zone.NR_PAGE_ORDERS; o++) assertEquals(0, dma32.nrFree(o));
        assertTrue(dma32.freePages() > 1000);
        long[] anon = vm.folios().allocPages(PageUse.ANON, 40, MmPages.FOLIO_ORDER);
        assertEquals(40, anon.length, "forty single pages");
        for (long folio : anon) assertEquals(0, Folios.order(folio));
        assertEquals(0, vm.events().get(VmEventItem.ALLOCSTALL_MOVABLE), "large attempts do not stall");
    }

    @Test
    void allOrNothing() {
        VmStat vm = new VmStat(128 * 1024);
        long free = vm.freePages();
        KernelError e = assertThrows(KernelError.class, () -> vm.folios().allocPages(PageUse.ANON, vm.totalRamPages(), 4));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(free, vm.freePages(), "what was taken before the failure went back");
        assertEquals(0, vm.get(VmStat.Item.NR_ANON_MAPPED));
        assertEquals(0, vm.get(VmStat.Item.NR_INACTIVE_ANON));
        assertEquals(List.of(), BuddyCheck.check(vm.node()));
    }
}
