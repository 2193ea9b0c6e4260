package ksim.mm.slub;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The caches a booted 6.18 server has (spec 8.2-8.4): every kmem_cache_create() of the core
 * kernel, its filesystems, block and network layers, in the order they run at boot, with the
 * aliases that merge into them; and the objects they hold once the machine is up. The table
 * (boot-caches.tsv) was read from a real machine's /sys/kernel/slab.
 */
public final class BootCaches {
    /** The memory the table's object counts were seen with; smaller machines get fewer objects. */
    static final long REFERENCE_MEMORY_KB = 4L * 1024 * 1024;

    /**
     * One line of the table.
     *
     * @param name       the creator's name (the /proc/slabinfo name)
     * @param dir        its /sys/kernel/slab directory on the reference machine
     * @param objectSize object_size
     * @param align      align (given as the creator's alignment argument)
     * @param flags      the SLAB_* flags the letters stand for
     * @param freeptrInside an RCU cache that passes args.freeptr_offset (its objects grow no free pointer)
     * @param ctor       the constructor, or null
     * @param usersize   usersize
     * @param sheaf      sheaf_capacity
     * @param objects    objects in use once booted
     * @param total      total_objects once booted
     * @param aliases    the names merged into it
     */
    public record Row(String name, String dir, int objectSize, int align, int flags, boolean freeptrInside, Ctor ctor,
                      int usersize, int sheaf, long objects, long total, List<String> aliases) {}

    private BootCaches() {}

    /** The table, oldest cache first. */
    public static List<Row> table() {
        List<Row> rows = new ArrayList<>();
        try (InputStream in = BootCaches.class.getResourceAsStream("boot-caches.tsv")) {
            if (in == null) throw new IllegalStateException("boot-caches.tsv is missing from the class path");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty() || line.startsWith("#")) continue;
                String[] f = line.split("\t");
                if (f.length != 11) throw new IllegalStateException("boot-caches.tsv: bad line " + line);
                String letters = f[4];
                int flags = 0;
                if (letters.contains("H")) flags |= SlabFlags.HWCACHE_ALIGN;
                if (letters.contains("a")) flags |= SlabFlags.RECLAIM_ACCOUNT;
                if (letters.contains("d")) flags |= SlabFlags.CACHE_DMA;
                if (letters.contains("A")) flags |= SlabFlags.ACCOUNT;
                if (letters.contains("R")) flags |= SlabFlags.TYPESAFE_BY_RCU;
                if (letters.contains("N")) flags |= SlabFlags.NO_MERGE;
                rows.add(new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), flags, letters.contains("P"),
                        f[5].equals("-") ? null : Ctor.parse(f[5]), Integer.parseInt(f[6]), Integer.parseInt(f[7]),
                        Long.parseLong(f[8]), Long.parseLong(f[9]), f[10].equals("-") ? List.of() : List.of(f[10].split(","))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rows;
    }

    /** Caches kmem_cache_init() makes itself: the bootstrap caches and the kmalloc families. */
    static boolean createdByInit(String name) {
        return name.equals("kmem_cache") || name.equals("kmem_cache_node") || name.startsWith("kmalloc-")
                || name.startsWith("dma-kmalloc-");
    }

    /**
     * Creates every cache of the table that kmem_cache_init() did not, each followed by the
     * caches that merge into it. Returns every name (creators and aliases) with its cache.
     */
    public static Map<String, KmemCache> create(Slub slub) {
        Map<String, KmemCache> byName = new LinkedHashMap<>();
        for (KmemCache s : slub.caches()) byName.put(s.name(), s);
        for (Row row : table()) {
            if (createdByInit(row.name())) continue;
            Slub.Args args = new Slub.Args(row.align(), 0, row.usersize(), row.freeptrInside() ? 0 : -1, row.sheaf(), row.ctor());
            KmemCache s = slub.create(row.name(), row.objectSize(), args, row.flags() | SlabFlags.PANIC);
            byName.put(row.name(), s);
            for (String alias : row.aliases()) {
                // The merger asks for what the target shows; whatever else it asked for, it landed here.
                KmemCache a = slub.create(alias, s.objectSize(), Slub.Args.of(s.align(), null), s.flags() & SlabFlags.MERGE_SAME);
                if (a != s) throw new IllegalStateException(alias + " did not merge into " + s.sysfsName());
                byName.put(alias, a);
            }
        }
        return byName;
    }

    /**
     * The objects a booted server holds: for each cache of the table except `skip` (those the
     * kernel fills with its own tasks), total_objects are allocated on random CPUs and then
     * total - objects of them freed on random CPUs, so that slabs end up full, partial, on
     * CPU partial chains and on node lists as on a live machine. Counts scale with memory
     * below 4 GiB. The objects stay allocated for the kernel's lifetime.
     */
    public static void populate(Slub slub, Map<String, KmemCache> caches, Set<String> skip, long memoryKb, long seed) {
        double scale = Math.min(1.0, (double) memoryKb / REFERENCE_MEMORY_KB);
        Random r = new Random(seed);
        int cpus = slub.config().cpus();
        for (Row row : table()) {
            if (skip.contains(row.name()) || row.name().equals("kmem_cache") || row.name().equals("kmem_cache_node")) continue;
            KmemCache s = caches.get(row.name());
            long total = Math.round(row.total() * scale);
            long keep = Math.round(row.objects() * scale);
            if (total == 0 || s == null) continue;
            long[] objs = new long[(int) total];
            for (int i = 0; i < total; i++) objs[i] = slub.alloc(s, r.nextInt(cpus));
            for (long i = total; i > keep; i--) {
                int j = r.nextInt((int) i);
                slub.free(s, objs[j], r.nextInt(cpus));
                objs[j] = objs[(int) i - 1];
            }
        }
    }
}
