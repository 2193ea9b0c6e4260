package ksim.mm;

import static ksim.mm.Mman.*;
import static ksim.mm.VmFlags.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** do_mmap(), get_unmapped_area() and munmap() on an mm. */
class MmapTest {
    private static final int RW = PROT_READ | PROT_WRITE;
    private static final int ANON = MAP_PRIVATE | MAP_ANONYMOUS;
    private final MmStruct mm = MmTesting.bare(21);

    @AfterEach
    void countersAreWhatTheVmasHold() {
        mm.verifyCounters();
    }

    private static Errno errno(Executable e) {
        return assertThrows(KernelError.class, e).errno();
    }

    /** The lowest mapping in the mmap area (below mmap_base, above the heap). */
    private long lowestInMmapArea() {
        long low = Long.MAX_VALUE;
        for (Vma v : mm.vmas()) if (v.start() > mm.brk() + (1L << 32) && v.end() <= mm.mmapBase()) low = Math.min(low, v.start());
        return low;
    }

    @Test
    void anonymousMappingsGoTopDownAndMergeWithEachOther() {
        long low = lowestInMmapArea();
        int count = mm.mapCount();
        long a = MmTesting.anon(mm, 8192);
        assertEquals(low - 8192, a, "right below the lowest mapping");
        long b = MmTesting.anon(mm, 4096 * 3);
        assertEquals(a - 4096 * 3, b);
        Vma v = mm.vmaAt(b);
        assertEquals(b, v.start());
        assertEquals(a + 8192, v.end(), "two adjacent anonymous mappings with equal flags are one VMA");
        assertEquals(count + 1, mm.mapCount());
        assertEquals(READ_WRITE_ACCOUNTED, v.flags());
    }

    private static final long READ_WRITE_ACCOUNTED = VM_READ | VM_WRITE | VM_MAY_ALL | VM_ACCOUNT;

    @Test
    void lengthIsRoundedUpToPages() {
        long a = MmTesting.anon(mm, 1);
        assertEquals(1, mm.vmaAt(a).pages());
        assertEquals(0, a & 0xfff);
    }

    @Test
    void aFreeHintIsTaken() {
        long hint = 0x7000_0000_0000L;
        long a = MmTesting.mmap(mm, hint + 5, 4096, RW, ANON, null);
        assertEquals(hint + 4096, a, "rounded up to a page, then used");
        long b = MmTesting.mmap(mm, hint + 4096, 4096, PROT_READ, ANON, null);
        assertTrue(b != hint + 4096, "an occupied hint is ignored");
    }

    @Test
    void fileMappingsRecordFileOffsetAndFlags() {
        long a = MmTesting.mmap(mm, 0, 5 * 4096, PROT_READ, MAP_SHARED, "/var/lib/data.db");
        Vma v = mm.vmaAt(a);
        assertEquals("/var/lib/data.db", v.file().path());
        assertEquals(VM_READ | VM_MAYREAD | VM_MAYEXEC | VM_MAYSHARE, v.flags(), "r--s of a read-only file: rd mr me ms");
        long[] ino = {1};
        long b = Mmap.mmap(mm, 0, 3 * 4096, RW, MAP_SHARED, "/var/lib/data.db", 8192, () -> ino[0]++, MmTesting.NO_LIMIT);
        Vma w = mm.vmaAt(b);
        assertEquals(2, w.pgoff());
        assertEquals(VM_READ | VM_WRITE | VM_SHARED | VM_MAY_ALL | VM_MAYSHARE, w.flags(), "rw-s: rd wr sh mr mw me ms");
        assertEquals(v.file().ino(), w.file().ino(), "one path, one inode");
        long c = MmTesting.mmap(mm, 0, 4096, RW, MAP_PRIVATE, "/var/lib/data.db");
        assertTrue(mm.vmaAt(c).has(VM_ACCOUNT), "a private writable file mapping is committed memory");
    }

    @Test
    void sharedAnonymousMemoryIsADeletedShmemFile() {
        long a = MmTesting.mmap(mm, 0, 1 << 20, RW, MAP_SHARED | MAP_ANONYMOUS, null);
        Vma v = mm.vmaAt(a);
        assertTrue(v.file().shmem());
        assertEquals("/dev/zero (deleted)", v.file().displayName());
        assertEquals(0, v.file().major());
        long b = MmTesting.mmap(mm, 0, 1 << 20, RW, MAP_SHARED | MAP_ANONYMOUS, null);
        assertEquals(b + (1 << 20), a, "adjacent");
        assertEquals(1 << 20, mm.vmaAt(b).end() - mm.vmaAt(b).start(), "distinct shmem files never merge");
    }

    @Test
    void fixedMappingReplacesWhatWasThere() {
        long a = MmTesting.anon(mm, 10 * 4096);
        Fault.touch(mm, a, 10 * 4096, true);
        long rss = mm.rss();
        long got = MmTesting.mmap(mm, a + 4 * 4096, 2 * 4096, PROT_READ, ANON | MAP_FIXED, null);
        assertEquals(a + 4 * 4096, got);
        assertEquals(rss - 2, mm.rss(), "the replaced pages are gone");
        List<Vma> three = mm.overlapping(a, a + 10 * 4096);
        assertEquals(3, three.size());
        assertEquals(List.of(4L, 2L, 4L), three.stream().map(Vma::pages).toList());
        assertEquals(VM_READ | VM_MAY_ALL, three.get(1).flags(), "read-only private: not accounted");
        assertEquals(Errno.EEXIST, errno(() -> MmTesting.mmap(mm, a, 4096, RW, ANON | MAP_FIXED_NOREPLACE, null)));
        long free = lowestInMmapArea() - (1L << 30);
        assertEquals(free, MmTesting.mmap(mm, free, 4096, RW, ANON | MAP_FIXED_NOREPLACE, null));
    }

    @Test
    void fixedMappingCanMergeBackIntoItsNeighbours() {
        long a = MmTesting.anon(mm, 10 * 4096);
        MmTesting.mmap(mm, a + 4096, 4096, PROT_READ, ANON | MAP_FIXED, null);
        assertEquals(3, mm.overlapping(a, a + 10 * 4096).size());
        MmTesting.mmap(mm, a + 4096, 4096, RW, ANON | MAP_FIXED, null);
        assertEquals(1, mm.overlapping(a, a + 10 * 4096).size(), "equal flags merge again");
    }

    @Test
    void munmapInTheMiddleSplitsAndKeepsTheOuterPages() {
        long a = MmTesting.anon(mm, 16 * 4096);
        Fault.touch(mm, a, 16 * 4096, true);
        long rss = mm.rss(), vm = mm.totalVm(), count = mm.mapCount();
        Mmap.munmap(mm, a + 4 * 4096, 8 * 4096);
        assertEquals(rss - 8, mm.rss());
        assertEquals(vm - 8, mm.totalVm());
        assertEquals(count + 1, mm.mapCount());
        Vma lower = mm.vmaAt(a), upper = mm.vmaAt(a + 12 * 4096);
        assertEquals(4, lower.pages());
        assertEquals(4, upper.pages());
        assertEquals(4, lower.rssPages());
        assertEquals(4, upper.rssPages());
        assertNull(mm.vmaAt(a + 4 * 4096));
        assertEquals(mm.rss(), mm.rssAnon() + mm.rssFile() + mm.rssShmem());
        assertEquals(rss, mm.hiwaterRss(), "the high-water mark remembers");
    }

    @Test
    void munmapOfAFileMappingAdjustsTheUpperOffset() {
        long a = MmTesting.mmap(mm, 0, 8 * 4096, PROT_READ, MAP_PRIVATE, "/usr/share/dict/words");
        Mmap.munmap(mm, a + 2 * 4096, 4096);
        assertEquals(0, mm.vmaAt(a).pgoff());
        assertEquals(3, mm.vmaAt(a + 3 * 4096).pgoff());
    }

    @Test
    void munmapAcrossSeveralVmasAndHolesIsFine() {
        long a = MmTesting.anon(mm, 4 * 4096);
        long b = MmTesting.mmap(mm, 0, 4 * 4096, PROT_READ, ANON, null);
        assertEquals(a - 4 * 4096, b);
        long vm = mm.totalVm();
        Mmap.munmap(mm, b + 4096, 6 * 4096);
        assertEquals(vm - 6, mm.totalVm());
        Mmap.munmap(mm, b + 4096, 6 * 4096);
        assertEquals(vm - 6, mm.totalVm(), "unmapping nothing succeeds");
    }

    @Test
    void mmapErrnos() {
        assertEquals(Errno.EINVAL, errno(() -> MmTesting.anon(mm, 0)), "zero length");
        assertEquals(Errno.EINVAL, errno(() -> MmTesting.mmap(mm, 0, 4096, RW, MAP_ANONYMOUS, null)), "neither shared nor private");
        assertEquals(Errno.EINVAL, errno(() -> MmTesting.mmap(mm, 0x7000_0000_0001L, 4096, RW, ANON | MAP_FIXED, null)), "unaligned fixed");
        assertEquals(Errno.EINVAL, errno(() -> MmTesting.mmap(mm, 0, 4096, 8, ANON, null)), "unknown prot");
        assertEquals(Errno.EINVAL, errno(() -> MmTesting.mmap(mm, 0, 4096, RW, ANON, "/etc/passwd")), "anonymous with a file");
        assertEquals(Errno.EBADF, errno(() -> MmTesting.mmap(mm, 0, 4096, RW, MAP_PRIVATE, null)), "file mapping without a file");
        assertEquals(Errno.EINVAL, errno(() -> Mmap.mmap(mm, 0, 4096, PROT_READ, MAP_PRIVATE, "/etc/passwd", 100, () -> 1, 1L << 40)),
                "unaligned offset");
        assertEquals(Errno.ENOMEM, errno(() -> MmTesting.anon(mm, MmLayout.TASK_SIZE + 4096)), "longer than the address space");
        assertEquals(Errno.ENOMEM, errno(() -> MmTesting.mmap(mm, MmLayout.TASK_SIZE - 4096, 8192, RW, ANON | MAP_FIXED, null)),
                "fixed beyond TASK_SIZE");
        assertEquals(Errno.EPERM, errno(() -> MmTesting.mmap(mm, 0x1000, 4096, RW, ANON | MAP_FIXED, null)), "below mmap_min_addr");
        assertEquals(Errno.ENOMEM, errno(() -> Mmap.mmap(mm, 0, 1L << 30, RW, ANON, null, 0, () -> 1, 1000)), "overcommit");
        assertEquals(Errno.EOPNOTSUPP, errno(() -> MmTesting.mmap(mm, 0, 4096, RW, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x40, null)));
        long n = mm.mapCount();
        long noReserve = Mmap.mmap(mm, 0, 1L << 30, RW, ANON | MAP_NORESERVE, null, 0, () -> 1, 1000);
        assertFalse(mm.vmaAt(noReserve).has(VM_ACCOUNT), "MAP_NORESERVE is not charged");
        assertEquals(n + 1, mm.mapCount());
    }

    @Test
    void munmapErrnos() {
        assertEquals(Errno.EINVAL, errno(() -> Mmap.munmap(mm, 0x7000_0000_0010L, 4096)), "unaligned");
        assertEquals(Errno.EINVAL, errno(() -> Mmap.munmap(mm, 0x7000_0000_0000L, 0)), "empty");
        assertEquals(Errno.EINVAL, errno(() -> Mmap.munmap(mm, MmLayout.TASK_SIZE, 8192)), "beyond the address space");
    }

    @Test
    void theAddressSpaceRunsOut() {
        // 64 TiB per mapping: after two the top-down and bottom-up searches find no room.
        long huge = 1L << 46;
        int made = 0;
        KernelError e = null;
        while (made < 8) {
            try {
                MmTesting.mmap(mm, 0, huge, PROT_READ, ANON | MAP_NORESERVE, null);
                made++;
            } catch (KernelError x) {
                e = x;
                break;
            }
        }
        assertNotNull(e, "mapping 64 TiB at a time must fail before 8 of them");
        assertEquals(Errno.ENOMEM, e.errno());
        assertTrue(made >= 1);
    }

    @Test
    void mapCountIsLimited() {
        long a = MmTesting.mmap(mm, 0, 4096L * (2 * MmLayout.MAX_MAP_COUNT + 2), PROT_READ, ANON | MAP_NORESERVE, null);
        // Punch holes until the limit: each munmap in the middle of the big VMA adds one.
        KernelError e = null;
        for (int i = 0; i < MmLayout.MAX_MAP_COUNT; i++) {
            try {
                Mmap.munmap(mm, a + (2L * i + 1) * 4096, 4096);
            } catch (KernelError x) {
                e = x;
                break;
            }
        }
        assertNotNull(e);
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(MmLayout.MAX_MAP_COUNT, mm.mapCount());
        // do_mmap() refuses only once map_count exceeds the limit, so one more mapping fits.
        MmTesting.mmap(mm, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS, null);
        assertEquals(Errno.ENOMEM, errno(() -> MmTesting.mmap(mm, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS, null)));
    }

    @Test
    void lockedAndPopulatedMappingsAreResidentAtOnce() {
        long a = MmTesting.mmap(mm, 0, 16 * 4096, RW, ANON | MAP_LOCKED, null);
        assertEquals(16, mm.vmaAt(a).rssPages());
        assertEquals(16, mm.vmaAt(a).lockedPages());
        assertEquals(16, mm.lockedVm());
        long f = MmTesting.mmap(mm, 0, 4 * 4096, PROT_READ, MAP_PRIVATE | MAP_POPULATE, "/usr/share/dict/words");
        assertEquals(4, mm.vmaAt(f).filePages());
        long w = MmTesting.mmap(mm, 0, 4 * 4096, RW, MAP_PRIVATE | MAP_POPULATE, "/usr/share/dict/words");
        assertEquals(4, mm.vmaAt(w).anonPages(), "populating a private writable mapping writes: COW copies");
    }

    @Test
    void parsesProtAndFlagWords() {
        assertEquals(PROT_READ | PROT_WRITE, Mman.parseProt("rw-"));
        assertEquals(PROT_NONE, Mman.parseProt("none"));
        assertEquals(PROT_READ | PROT_EXEC, Mman.parseProt("rx"));
        assertEquals(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, Mman.parseFlags("private,anonymous,fixed"));
        assertEquals(Errno.EINVAL, errno(() -> Mman.parseProt("rwz")));
        assertEquals(Errno.EINVAL, errno(() -> Mman.parseFlags("private,bogus")));
    }
}
