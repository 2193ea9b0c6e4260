package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.Test;

/** The slab stand-in: slab pages follow the bytes of objects. */
class PagePoolSlabTest {
    @Test
    void pagesFollowTheObjects() {
        VmStat vm = new VmStat(1024 * 1024);
        SlabPages slab = vm.slab();
        long free = vm.freePages();
        slab.alloc(false, 100);
        assertEquals(1, vm.get(VmStat.Item.NR_SLAB_UNRECLAIMABLE));
        slab.alloc(false, 4000);
        assertEquals(2, vm.get(VmStat.Item.NR_SLAB_UNRECLAIMABLE), "4100 bytes need two pages");
        slab.alloc(true, 3 * 4096);
        assertEquals(3, vm.get(VmStat.Item.NR_SLAB_RECLAIMABLE));
        assertEquals(free - 5, vm.freePages());
        slab.free(false, 4000);
        assertEquals(1, vm.get(VmStat.Item.NR_SLAB_UNRECLAIMABLE), "an empty page goes back");
        assertEquals(100, slab.bytes(false));
        slab.free(false, 100);
        slab.free(true, 3 * 4096);
        assertEquals(free, vm.freePages());
        assertThrows(IllegalStateException.class, () -> slab.free(true, 1));
    }

    @Test
    void aFailedAllocationTakesNothing() {
        VmStat vm = new VmStat(128 * 1024);
        long free = vm.freePages();
        KernelError e = assertThrows(KernelError.class, () -> vm.slab().alloc(true, vm.totalRamPages() * 4096));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(free, vm.freePages());
        assertEquals(0, vm.slab().bytes(true));
        assertEquals(0, vm.get(VmStat.Item.NR_SLAB_RECLAIMABLE));
    }
}
