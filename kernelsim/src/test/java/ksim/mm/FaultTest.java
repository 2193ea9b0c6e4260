package ksim.mm;

import static ksim.mm.Mman.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Touching memory: which rss counter each fault charges. */
class FaultTest {
    private final MmStruct mm = MmTesting.bare(41);

    @AfterEach
    void countersAreWhatTheVmasHold() {
        mm.verifyCounters();
    }

    @Test
    void anonymousPagesFaultInOnce() {
        long a = MmTesting.anon(mm, 10 * 4096);
        long anon = mm.rssAnon();
        assertEquals(3, Fault.touch(mm, a + 100, 2 * 4096, false), "bytes 100..8292 touch three pages");
        assertEquals(0, Fault.touch(mm, a, 3 * 4096, true), "present pages do not fault again");
        assertEquals(anon + 3, mm.rssAnon());
    }

    @Test
    void privateFilePagesAreCopiedOnWrite() {
        long f = MmTesting.mmap(mm, 0, 8 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, "/srv/data.bin");
        long file = mm.rssFile(), anon = mm.rssAnon();
        assertEquals(8, Fault.touch(mm, f, 8 * 4096, false));
        assertEquals(file + 8, mm.rssFile());
        assertEquals(2, Fault.touch(mm, f, 2 * 4096, true), "a write replaces the page-cache page by a private copy");
        assertEquals(file + 6, mm.rssFile());
        assertEquals(anon + 2, mm.rssAnon());
    }

    @Test
    void sharedFileWritesDirtyThePageCache() {
        long f = MmTesting.mmap(mm, 0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, "/srv/data.bin");
        Fault.touch(mm, f, 4 * 4096, true);
        Vma v = mm.vmaAt(f);
        assertEquals(4, v.filePages());
        assertEquals(4, v.residentPages().count(PageKind.FILE_DIRTY));
        assertEquals(0, v.anonPages());
    }

    @Test
    void shmemPagesCountAsShmem() {
        long s = MmTesting.mmap(mm, 0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null);
        long d = MmTesting.mmap(mm, 0, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, "/dev/shm/queue");
        Fault.touch(mm, s, 4 * 4096, true);
        Fault.touch(mm, d, 2 * 4096, false);
        assertEquals(6, mm.rssShmem());
    }

    @Test
    void vvarPagesAreNeverCounted() {
        Vma vvar = mm.vmas().stream().filter(v -> Specials.VVAR.equals(v.special())).findFirst().orElseThrow();
        long rss = mm.rss();
        assertEquals(0, Fault.touch(mm, vvar.start(), vvar.end() - vvar.start(), false));
        assertEquals(rss, mm.rss());
    }

    @Test
    void faultsOutsideMappingsOrPermissionsAreEfaultAndChangeNothing() {
        long ro = MmTesting.mmap(mm, 0, 4 * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null);
        long a = MmTesting.anon(mm, 4 * 4096);
        assertEquals(ro, a + 4 * 4096, "the writable mapping lies right below the read-only one");
        long none = MmTesting.mmap(mm, 0, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, null);
        long rss = mm.rss();
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> Fault.touch(mm, a, 5 * 4096, true)).errno(),
                "runs past the end into a read-only mapping");
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> Fault.touch(mm, ro, 4096, true)).errno());
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> Fault.touch(mm, none, 1, false)).errno());
        assertEquals(Errno.EFAULT, assertThrows(KernelError.class, () -> Fault.touch(mm, 0x20000, 1, false)).errno());
        assertEquals(rss, mm.rss(), "a refused touch faults nothing in");
        assertEquals(0, Fault.touch(mm, a, 0, true));
    }
}
