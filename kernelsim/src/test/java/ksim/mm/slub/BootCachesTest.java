package ksim.mm.slub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ksim.mm.BumpPageSource;
import org.junit.jupiter.api.Test;

/** The boot set: every cache of the reference table lands where it did on the real machine. */
class BootCachesTest {
    @Test
    void everyCacheGetsTheDirectoryAndGeometryOfTheReference() {
        Slub slub = SlubPathsTest.newSlub(2);
        Map<String, KmemCache> byName = BootCaches.create(slub);
        List<BootCaches.Row> table = BootCaches.table();
        List<String> wrong = new ArrayList<>();
        for (BootCaches.Row row : table) {
            KmemCache s = byName.get(row.name());
            if (!s.sysfsName().equals(row.dir())) wrong.add(row.name() + " in " + s.sysfsName() + " not " + row.dir());
            if (s.objectSize() != row.objectSize()) wrong.add(row.name() + " object_size " + s.objectSize());
            if (s.align() != row.align()) wrong.add(row.name() + " align " + s.align());
            if (s.aliases() != row.aliases().size()) wrong.add(row.name() + " aliases " + s.aliases());
            for (String a : row.aliases()) {
                if (!row.dir().equals(slub.sysfsLinks().get(a))) wrong.add(a + " does not link to " + row.dir());
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(table.size(), slub.caches().size(), "one kmem_cache per line of the table");
        List<String> order = slub.caches().stream().map(KmemCache::name).toList();
        assertEquals(table.stream().map(BootCaches.Row::name).toList(), order, "creation order");
        long ids = slub.sysfsDirs().keySet().stream().filter(d -> d.startsWith(":")).count();
        assertTrue(ids > 80, "many mergeable caches: " + ids);
        assertTrue(slub.sysfsLinks().size() > 150, "and their alias links: " + slub.sysfsLinks().size());
        assertEquals(slub.sysfsDirs().size(), slub.caches().size());
    }

    @Test
    void populationGivesTheReferenceCountsAndKeepsTheInvariants() {
        BumpPageSource pages = new BumpPageSource(0x10000, 1 << 22);
        Slub slub = new Slub(Slub.Config.defaults(2, 5), pages);
        Map<String, KmemCache> byName = BootCaches.create(slub);
        BootCaches.populate(slub, byName, Set.of("task_struct"), BootCaches.REFERENCE_MEMORY_KB, 5);
        for (BootCaches.Row row : BootCaches.table()) {
            KmemCache s = byName.get(row.name());
            CacheStats st = slub.stats(s);
            long objects = CacheStats.sum(st.objects());
            if (row.name().equals("task_struct")) {
                assertEquals(0, CacheStats.sum(st.slabs()), "skipped caches stay empty");
                continue;
            }
            if (BootCaches.createdByInit(row.name()) && row.name().startsWith("kmem_cache")) continue;
            // In use: the objects kept, plus at most the free objects CPUs hold (their slabs, chains and sheaves).
            long cpuHeld = (CacheStats.sum(st.cpuSlabs()) + st.chainSlabs()[0] + st.chainSlabs()[1]) * s.objsPerSlab()
                    + Sheaves.objectsInSheaves(s);
            assertTrue(objects >= row.objects() && objects <= row.objects() + cpuHeld,
                    row.name() + ": objects " + objects + " for " + row.objects() + " kept");
            assertTrue(CacheStats.sum(st.totalObjects()) >= objects);
        }
        assertEquals(pages.pagesInUse(), slub.slabPages(true) + slub.slabPages(false));
        long mb = (slub.slabPages(true) + slub.slabPages(false)) * 4096 / (1 << 20);
        assertTrue(mb > 50 && mb < 150, "a booted server's slab is some tens of MiB: " + mb);
        assertTrue(slub.slabPages(true) > slub.slabPages(false), "dentries and inodes make most slab reclaimable");
    }
}
