package ksim.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import ksim.kernel.Param;
import org.junit.jupiter.api.Test;

/** An address space's anonymous, shmem and page-table pages. */
class MmPagesTest {
    private static MmStruct mm(int anonKb, int shmemKb) {
        return MmStruct.load(new Program("/usr/bin/t", 40, 16, 2048, 132, 132, 1024, anonKb, 800, shmemKb, 1), new byte[] {'t', 0}, new byte[0]);
    }

    @Test
    void chargeTakesEveryResidentPageAndUnchargeGivesThemBack() {
        VmStat vm = new VmStat(4L * 1024 * 1024);
        long free = vm.freePages();
        MmStruct mm = mm(1600, 400);
        vm.mmPages().charge(mm);
        long pt = mm.pgtablesBytes() / Param.PAGE_SIZE;
        assertTrue(pt > 0);
        assertEquals(400, vm.get(VmStat.Item.NR_ANON_MAPPED));
        assertEquals(100, vm.get(VmStat.Item.NR_SHMEM));
        assertEquals(pt, vm.get(VmStat.Item.NR_PAGETABLE));
        assertEquals(free - 400 - 100 - pt, vm.freePages());
        assertTrue(vm.mmPages().charged(mm));
        assertThrows(IllegalStateException.class, () -> vm.mmPages().charge(mm));
        vm.mmPages().uncharge(mm);
        assertFalse(vm.mmPages().charged(mm));
        assertEquals(free, vm.freePages());
        assertEquals(0, vm.get(VmStat.Item.NR_ANON_MAPPED) + vm.get(VmStat.Item.NR_SHMEM) + vm.get(VmStat.Item.NR_PAGETABLE));
        assertThrows(IllegalStateException.class, () -> vm.mmPages().uncharge(mm));
    }

    @Test
    void aChargeThatDoesNotFitTakesNothing() {
        VmStat vm = new VmStat(128 * 1024);
        long free = vm.freePages();
        // The anonymous pages fit; the shmem that follows does not.
        MmStruct big = mm((int) (free / 2 * 4), (int) (free / 2 * 4));
        KernelError e = assertThrows(KernelError.class, () -> vm.mmPages().charge(big));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(free, vm.freePages());
        assertFalse(vm.mmPages().charged(big));
        assertEquals(0, vm.get(VmStat.Item.NR_ANON_MAPPED) + vm.get(VmStat.Item.NR_SHMEM));
    }
}
