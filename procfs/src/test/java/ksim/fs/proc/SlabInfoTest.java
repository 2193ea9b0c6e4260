package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ksim.fs.Caller;
import ksim.fs.File;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.kernel.Errno;
import ksim.kernel.KernelError;
import ksim.mm.slub.CacheStats;
import ksim.mm.slub.KmemCache;
import org.junit.jupiter.api.Test;

/** /proc/slabinfo (spec 6.1): the format, the order, and the numbers sysfs shows too. */
class SlabInfoTest {
    private static final Pattern LINE = Pattern.compile(
            "(\\S+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) : tunables +0 +0 +0 : slabdata +(\\d+) +(\\d+) +0");

    @Test
    void oneLinePerCacheNewestFirstWithSlubsNumbers() {
        Proc p = Proc.boot();
        List<String> lines = p.lines("/slabinfo");
        assertEquals("slabinfo - version: 2.1", lines.get(0));
        assertEquals("# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> "
                + "<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>", lines.get(1));
        List<KmemCache> caches = p.k.slub().caches();
        assertEquals(caches.size() + 2, lines.size());
        assertTrue(lines.get(lines.size() - 1).startsWith("kmem_cache "));
        assertTrue(lines.get(lines.size() - 2).startsWith("kmem_cache_node "));
        for (int i = 0; i < caches.size(); i++) {
            KmemCache s = caches.get(caches.size() - 1 - i);
            String line = lines.get(2 + i);
            Matcher m = LINE.matcher(line);
            assertTrue(m.matches(), line);
            assertEquals(s.name(), m.group(1), "the creator's name, never the id");
            CacheStats st = p.k.slub().stats(s);
            assertEquals(CacheStats.sum(st.objects()), Long.parseLong(m.group(2)), line);
            assertEquals(CacheStats.sum(st.totalObjects()), Long.parseLong(m.group(3)), line);
            assertEquals(s.slabSize(), Integer.parseInt(m.group(4)), "objsize is slab_size");
            assertEquals(s.objsPerSlab(), Integer.parseInt(m.group(5)));
            assertEquals(1 << s.order(), Integer.parseInt(m.group(6)));
            assertEquals(CacheStats.sum(st.slabs()), Long.parseLong(m.group(7)));
            assertEquals(m.group(7), m.group(8), "active_slabs = num_slabs");
            // The printf layout: %-17s then %6lu %6lu %6u %4u %4d.
            String head = String.format("%-17s %6d %6d %6d %4d %4d", s.name(), Long.parseLong(m.group(2)),
                    Long.parseLong(m.group(3)), s.slabSize(), s.objsPerSlab(), 1 << s.order());
            assertTrue(line.startsWith(head + " : tunables    0    0    0 : slabdata "), line);
        }
        assertTrue(p.read("/slabinfo").contains("\ntask_struct "), "well-known caches are there");
    }

    @Test
    void rootOnlyAndWritesFailWithEio() {
        Proc p = Proc.boot();
        InodeAttr a = p.walk("/slabinfo").getattr();
        assertEquals(Mode.S_IFREG | 0400, a.mode());
        assertEquals(0, a.size());
        File f = p.walk("/slabinfo").open(OpenFlags.O_WRONLY, Caller.KERNEL);
        assertEquals(Errno.EIO, assertThrows(KernelError.class, () -> f.write(0, new byte[] {'1'}, 1)).errno());
        p.walk("/slabinfo").truncate(0);
    }

    @Test
    void aCacheCreatedLaterComesFirst() {
        Proc p = Proc.boot();
        p.k.slabOps().create("newest_cache", 300, 0, "SLAB_NO_MERGE", null);
        assertTrue(p.lines("/slabinfo").get(2).startsWith("newest_cache "));
        p.k.slabOps().create("newest_alias", 300, 0, "SLAB_NO_MERGE", null);
        assertTrue(p.k.slabOps().create("merged_one", 24, 0, "", null).merged());
        assertTrue(p.lines("/slabinfo").get(2).startsWith("newest_alias "), "an alias adds no line");
    }
}
