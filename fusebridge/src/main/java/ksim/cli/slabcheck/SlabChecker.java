package ksim.cli.slabcheck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Walks a mounted /sys/kernel/slab and /proc/slabinfo and checks what the SLUB spec says of
 * them: the layout (section 2.1), the 30 files with their modes and formats (2.2), the unique
 * ids and aliases (3), the geometry and default tunables (4), the counter invariants (5.5)
 * and /proc/slabinfo agreeing with sysfs (6.1). The tree must be quiescent while it is read:
 * on a live machine counters move between two reads and show up as (transient) problems.
 */
public final class SlabChecker {
    /** The 30 attribute files and whether each is 0600 (else 0400). */
    static final Map<String, Boolean> FILES = new LinkedHashMap<>();

    static {
        for (String f : new String[] {"aliases", "align", "cache_dma", "cpu_slabs", "ctor", "destroy_by_rcu", "hwcache_align",
            "object_size", "objects", "objects_partial", "objs_per_slab", "order", "partial", "poison", "reclaim_account",
            "red_zone", "sanity_checks", "sheaf_capacity", "slab_size", "slabs", "slabs_cpu_partial", "store_user",
            "total_objects", "trace", "usersize"}) {
            FILES.put(f, false);
        }
        for (String f : new String[] {"cpu_partial", "min_partial", "remote_node_defrag_ratio", "shrink", "validate"}) FILES.put(f, true);
    }

    private static final String SLAB = "sys/kernel/slab";
    private static final String SLABINFO = "proc/slabinfo";
    private static final Pattern NFORMAT = Pattern.compile("(\\d+)((?: N\\d+=\\d+)*)\n");
    private static final Pattern NPART = Pattern.compile(" N(\\d+)=(\\d+)");
    private static final Pattern SCP = Pattern.compile("(\\d+)\\((\\d+)\\)((?: C\\d+=\\d+\\(\\d+\\))*)\n");
    private static final Pattern SCP_PART = Pattern.compile(" C(\\d+)=(\\d+)\\((\\d+)\\)");
    private static final Pattern ID = Pattern.compile(":(d?D?a?F?A?)(-?)(\\d{7})");
    private static final Pattern CTOR = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*\\+0x[0-9a-f]+/0x[0-9a-f]+( \\[[A-Za-z0-9_]+\\])?\n");
    private static final Pattern SLABINFO_LINE = Pattern.compile(
            "(\\S+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) +(\\d+) : tunables +(\\d+) +(\\d+) +(\\d+) : slabdata +(\\d+) +(\\d+) +(\\d+)");
    static final String HEADER1 = "slabinfo - version: 2.1";
    static final String HEADER2 = "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>"
            + " : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>";

    /**
     * The outcome.
     *
     * @param caches   directories checked
     * @param links    alias links checked
     * @param checks   individual checks made
     * @param problems what does not hold
     * @param notes    what is unusual but allowed (dangling links after a destroy)
     */
    public record Report(int caches, int links, int checks, List<String> problems, List<String> notes) {
        public boolean ok() {
            return problems.isEmpty();
        }
    }

    private final SlabTree t;
    private final int cpus;
    private final boolean tunables;
    private final List<String> problems = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private int checks;

    /**
     * @param cpus     the CPU count calculate_order used (0: read it from sys/devices/system/cpu/present)
     * @param tunables also check that min_partial and cpu_partial have their creation values
     */
    public SlabChecker(SlabTree tree, int cpus, boolean tunables) {
        this.t = tree;
        this.cpus = cpus > 0 ? cpus : presentCpus(tree);
        this.tunables = tunables;
    }

    private static int presentCpus(SlabTree t) {
        String list = t.read("sys/devices/system/cpu/present").strip();
        int n = 0;
        for (String part : list.split(",")) {
            String[] r = part.split("-");
            n += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
        }
        return n;
    }

    private boolean check(boolean ok, String where, String what) {
        checks++;
        if (!ok) problems.add(where + ": " + what);
        return ok;
    }

    /** One cache directory as read: its files, and the numbers parsed from them. */
    private static final class Cache {
        final String dir;
        final Map<String, String> files = new HashMap<>();
        final Map<String, long[]> perNode = new HashMap<>();
        final Map<String, Long> num = new HashMap<>();

        Cache(String dir) {
            this.dir = dir;
        }

        long n(String f) {
            return num.getOrDefault(f, -1L);
        }

        boolean flag(String f) {
            return n(f) == 1;
        }
    }

    public Report run() {
        SlabTree.Stat root = t.lstat(SLAB);
        check(root.dir() && root.mode() == 0755, SLAB, "a directory of mode 0755");
        List<String> names = t.list(SLAB);
        Map<String, Cache> caches = new LinkedHashMap<>();
        Map<String, String> links = new LinkedHashMap<>();
        for (String name : names) {
            SlabTree.Stat st = t.lstat(SLAB + "/" + name);
            if (st.dir()) caches.put(name, readCache(name));
            else if (st.link()) links.put(name, t.readlink(SLAB + "/" + name));
            else check(false, SLAB + "/" + name, "neither a cache directory nor an alias link");
        }
        check(root.nlink() == 2 + caches.size(), SLAB, "nlink " + root.nlink() + " is 2 + " + caches.size() + " directories");
        Map<String, Integer> linksTo = new HashMap<>();
        for (var e : links.entrySet()) {
            String where = SLAB + "/" + e.getKey();
            String target = e.getValue();
            check(target.startsWith(":") && target.indexOf('/') < 0, where, "links to a bare id, not " + target);
            if (caches.containsKey(target)) linksTo.merge(target, 1, Integer::sum);
            else notes.add(where + " -> " + target + " dangles (its cache was destroyed)");
            check(!caches.containsKey(target) || target.startsWith(":"), where, "links to a named (unmergeable) cache");
        }
        for (Cache c : caches.values()) {
            checkCache(c);
            if (c.dir.startsWith(":")) {
                int n = linksTo.getOrDefault(c.dir, 0);
                check(n >= c.n("aliases") + 1, SLAB + "/" + c.dir,
                        n + " links point here, fewer than aliases + 1 = " + (c.n("aliases") + 1));
                if (n != c.n("aliases") + 1) notes.add(SLAB + "/" + c.dir + ": " + n + " links for " + c.n("aliases") + " aliases (an alias was destroyed)");
            } else {
                check(c.n("aliases") == 0, SLAB + "/" + c.dir, "an unmergeable cache has no aliases");
            }
        }
        checkSlabinfo(caches, links);
        return new Report(caches.size(), links.size(), checks, List.copyOf(problems), List.copyOf(notes));
    }

    private Cache readCache(String dir) {
        Cache c = new Cache(dir);
        String base = SLAB + "/" + dir;
        SlabTree.Stat ds = t.lstat(base);
        check(ds.mode() == 0755 && ds.nlink() == 2, base, "a directory of mode 0755 with nlink 2");
        List<String> present = t.list(base);
        check(present.size() == FILES.size() && present.containsAll(FILES.keySet()), base,
                "holds exactly the 30 attribute files, not " + present);
        for (var f : FILES.entrySet()) {
            String path = base + "/" + f.getKey();
            if (!present.contains(f.getKey())) continue;
            SlabTree.Stat st = t.lstat(path);
            int mode = f.getValue() ? 0600 : 0400;
            check(st.regular() && st.mode() == mode, path, String.format("a regular file of mode %o, not %o", mode, st.mode()));
            check(st.size() == 4096, path, "st_size 4096, not " + st.size());
            check(st.uid() == 0, path, "owned by root");
            c.files.put(f.getKey(), t.read(path));
        }
        for (String f : new String[] {"aliases", "align", "object_size", "objs_per_slab", "order", "slab_size", "sheaf_capacity",
            "usersize", "cpu_partial", "min_partial", "remote_node_defrag_ratio"}) {
            String v = c.files.getOrDefault(f, "");
            if (check(v.matches("\\d+\n"), base + "/" + f, "'%u\\n', not [" + v + "]")) c.num.put(f, Long.parseUnsignedLong(v.strip()));
        }
        for (String f : new String[] {"cache_dma", "destroy_by_rcu", "hwcache_align", "poison", "reclaim_account", "red_zone",
            "sanity_checks", "store_user", "trace"}) {
            String v = c.files.getOrDefault(f, "");
            if (check(v.equals("0\n") || v.equals("1\n"), base + "/" + f, "0 or 1, not [" + v + "]")) c.num.put(f, Long.parseLong(v.strip()));
        }
        for (String f : new String[] {"objects", "objects_partial", "partial", "slabs", "total_objects", "cpu_slabs"}) {
            long[] nodes = nformat(base + "/" + f, c.files.getOrDefault(f, ""));
            if (nodes != null) {
                c.perNode.put(f, nodes);
                long sum = 0;
                for (long v : nodes) sum += v;
                c.num.put(f, sum);
            }
        }
        check(c.files.getOrDefault("shrink", "x").isEmpty(), base + "/shrink", "reads as 0 bytes");
        check(c.files.getOrDefault("validate", "x").isEmpty(), base + "/validate", "reads as 0 bytes");
        String ctor = c.files.getOrDefault("ctor", "");
        check(ctor.isEmpty() || CTOR.matcher(ctor).matches(), base + "/ctor", "empty or sym+0xOFF/0xSIZE, not [" + ctor + "]");
        return c;
    }

    /** The N-format: a total, then " N<node>=<count>" for each node with a count, ascending; "0" alone for 0. */
    private long[] nformat(String where, String v) {
        Matcher m = NFORMAT.matcher(v);
        if (!check(m.matches(), where, "N-format, not [" + v + "]")) return null;
        long total = Long.parseLong(m.group(1));
        long[] nodes = new long[64];
        long sum = 0;
        int last = -1;
        Matcher p = NPART.matcher(m.group(2));
        while (p.find()) {
            int node = Integer.parseInt(p.group(1));
            long count = Long.parseLong(p.group(2));
            check(node > last && node < nodes.length, where, "node ids ascend");
            check(count != 0, where, "no N part for a zero count");
            if (node < nodes.length) nodes[node] = count;
            last = node;
            sum += count;
        }
        check(sum == total, where, "the total " + total + " is the sum of the node counts " + sum);
        check(total != 0 || m.group(2).isEmpty(), where, "0 prints no N part");
        check(total == 0 || !m.group(2).isEmpty(), where, "a NUMA kernel prints the node counts");
        return nodes;
    }

    private void checkCache(Cache c) {
        String base = SLAB + "/" + c.dir;
        long size = c.n("slab_size");
        long objectSize = c.n("object_size");
        long align = c.n("align");
        long order = c.n("order");
        long objs = c.n("objs_per_slab");
        boolean debug = c.flag("sanity_checks") || c.flag("red_zone") || c.flag("poison") || c.flag("store_user") || c.flag("trace");
        check(align >= 8 && Long.bitCount(align) == 1, base + "/align", "a power of two of at least 8");
        check(size > 0 && align > 0 && size % align == 0, base + "/slab_size", "a multiple of align");
        check(size >= objectSize, base + "/slab_size", "at least object_size");
        check(c.n("usersize") <= objectSize, base + "/usersize", "within the object");
        if (size > 0) {
            int want = SpecFormulas.order((int) size, cpus);
            // An order above slab_max_order only comes from get_order(size), the spec's last resort.
            check(order == want, base + "/order", "calculate_order(" + size + ") on " + cpus + " CPUs is " + want + ", not " + order);
            check(objs == SpecFormulas.objsPerSlab((int) size, (int) order), base + "/objs_per_slab", "(4096 << order) / slab_size");
            if (tunables) {
                check(c.n("min_partial") == SpecFormulas.minPartial((int) size), base + "/min_partial",
                        "clamp(ilog2(" + size + ") / 2, 5, 10) = " + SpecFormulas.minPartial((int) size));
                check(c.n("cpu_partial") == SpecFormulas.cpuPartial((int) size, debug), base + "/cpu_partial",
                        "the creation value " + SpecFormulas.cpuPartial((int) size, debug));
            }
        }
        check(!debug || c.n("cpu_partial") == 0, base + "/cpu_partial", "0 on a debug cache");
        check(c.n("remote_node_defrag_ratio") <= 100, base + "/remote_node_defrag_ratio", "at most 100");
        check(c.n("sheaf_capacity") == 0 || !debug, base + "/sheaf_capacity", "no sheaves with debug flags");
        if (c.dir.startsWith(":")) {
            Matcher m = ID.matcher(c.dir);
            if (check(m.matches(), base, "an id of the form :[dDaFA-]NNNNNNN")) {
                String letters = m.group(1);
                check(m.group(2).isEmpty() == letters.isEmpty(), base, "a '-' follows the letters, and only them");
                check(Long.parseLong(m.group(3)) == size, base, "the id's number is slab_size " + size);
                check(letters.contains("d") == c.flag("cache_dma"), base, "'d' iff cache_dma");
                check(letters.contains("a") == c.flag("reclaim_account"), base, "'a' iff reclaim_account");
                check(letters.contains("F") == c.flag("sanity_checks"), base, "'F' iff sanity_checks");
            }
            // A mergeable cache has nothing that slab_unmergeable() refuses.
            check(c.files.getOrDefault("ctor", "").isEmpty() && c.n("usersize") == 0 && c.n("sheaf_capacity") == 0
                    && !c.flag("destroy_by_rcu") && !c.flag("red_zone") && !c.flag("poison") && !c.flag("store_user")
                    && !c.flag("trace"), base, "a mergeable cache has no ctor, usercopy, sheaves, RCU or Z/P/U/T");
        }
        checkCounters(c, base, objs, debug);
    }

    /** Spec 5.5, per node and in total. */
    private void checkCounters(Cache c, String base, long objs, boolean debug) {
        if (!c.perNode.keySet().containsAll(List.of("objects", "objects_partial", "partial", "slabs", "total_objects", "cpu_slabs"))) return;
        for (int node = 0; node < 64; node++) {
            long objects = c.perNode.get("objects")[node];
            long objectsPartial = c.perNode.get("objects_partial")[node];
            long partial = c.perNode.get("partial")[node];
            long slabs = c.perNode.get("slabs")[node];
            long total = c.perNode.get("total_objects")[node];
            long cpuSlabs = c.perNode.get("cpu_slabs")[node];
            if (objects + objectsPartial + partial + slabs + total + cpuSlabs == 0) continue;
            String w = base + " (node " + node + ")";
            check(total >= objects && objects >= objectsPartial, w, "total_objects >= objects >= objects_partial");
            check(partial <= slabs && cpuSlabs <= slabs, w, "partial and cpu_slabs are among slabs");
            check(total <= slabs * objs && total >= slabs, w, "every slab holds 1..objs_per_slab objects");
            long freePartial = total - objects;
            check(freePartial >= partial, w, "a node-partial slab has a free object");
            check(objectsPartial <= partial * (objs - 1), w, "a node-partial slab is not full");
            if (total == slabs * objs) {
                check(freePartial == partial * objs - objectsPartial, w,
                        "total_objects - objects = partial * objs_per_slab - objects_partial (" + freePartial + " vs "
                                + (partial * objs - objectsPartial) + ")");
            } else {
                check(freePartial <= partial * objs - objectsPartial, w, "free objects on partial slabs fit them");
            }
        }
        String scp = c.files.getOrDefault("slabs_cpu_partial", "");
        Matcher m = SCP.matcher(scp);
        if (!check(m.matches(), base + "/slabs_cpu_partial", "'%d(%d)' then ' C<cpu>=%d(%d)', not [" + scp + "]")) return;
        long totalSlabs = Long.parseLong(m.group(2));
        check(Long.parseLong(m.group(1)) == totalSlabs * objs / 2, base + "/slabs_cpu_partial", "the estimate is slabs * objs_per_slab / 2");
        long[] chain = new long[cpus];
        long sum = 0;
        int last = -1;
        Matcher p = SCP_PART.matcher(m.group(3));
        while (p.find()) {
            int cpu = Integer.parseInt(p.group(1));
            long slabs = Long.parseLong(p.group(3));
            check(cpu > last && cpu < cpus, base + "/slabs_cpu_partial", "CPU ids ascend and exist");
            check(slabs > 0 && Long.parseLong(p.group(2)) == slabs * objs / 2, base + "/slabs_cpu_partial", "C" + cpu + " estimate");
            if (cpu < cpus) chain[cpu] = slabs;
            last = cpu;
            sum += slabs;
        }
        check(sum == totalSlabs, base + "/slabs_cpu_partial", "the total is the sum of the CPUs' chains");
        check(!debug || (c.n("cpu_slabs") == 0 && totalSlabs == 0), base, "a debug cache uses no CPU slabs");
        // cpu_slabs = sum over the CPUs that have a CPU slab of (1 + their chain): some subset must give it.
        long cpuSlabs = c.n("cpu_slabs");
        if (cpus <= 16) {
            boolean found = false;
            for (int mask = 0; mask < (1 << cpus) && !found; mask++) {
                long v = 0;
                for (int i = 0; i < cpus; i++) if ((mask & (1 << i)) != 0) v += 1 + chain[i];
                found = v == cpuSlabs;
            }
            check(found, base + "/cpu_slabs", cpuSlabs + " is not (CPUs with a CPU slab) + their chains " + java.util.Arrays.toString(chain));
        } else {
            check(cpuSlabs <= cpus + totalSlabs, base + "/cpu_slabs", "at most one CPU slab per CPU plus the chains");
        }
    }

    private void checkSlabinfo(Map<String, Cache> caches, Map<String, String> links) {
        SlabTree.Stat st = t.lstat(SLABINFO);
        check(st.regular() && st.mode() == 0400 && st.size() == 0 && st.uid() == 0, SLABINFO, "mode 0400, size 0, owned by root");
        String text = t.read(SLABINFO);
        check(text.endsWith("\n"), SLABINFO, "ends with a newline");
        String[] lines = text.split("\n");
        check(lines.length >= 2 && lines[0].equals(HEADER1), SLABINFO, "first line " + HEADER1);
        check(lines.length >= 2 && lines[1].equals(HEADER2), SLABINFO, "second line is the 2.1 column header");
        check(lines.length - 2 == caches.size(), SLABINFO, (lines.length - 2) + " lines for " + caches.size() + " cache directories");
        if (lines.length >= 4) {
            check(lines[lines.length - 2].startsWith("kmem_cache_node "), SLABINFO, "kmem_cache_node is the second-to-last line");
            check(lines[lines.length - 1].startsWith("kmem_cache "), SLABINFO, "kmem_cache is the last line");
        }
        // Each line belongs to a directory: its own name, or an id its name links to.
        Map<String, Cache> unmatched = new LinkedHashMap<>(caches);
        for (int i = 2; i < lines.length; i++) {
            String line = lines[i];
            Matcher m = SLABINFO_LINE.matcher(line);
            if (!check(m.matches(), SLABINFO, "a 2.1 line, not [" + line + "]")) continue;
            String name = m.group(1);
            long active = Long.parseLong(m.group(2));
            long num = Long.parseLong(m.group(3));
            long objsize = Long.parseLong(m.group(4));
            long perSlab = Long.parseLong(m.group(5));
            long pages = Long.parseLong(m.group(6));
            long activeSlabs = Long.parseLong(m.group(10));
            long numSlabs = Long.parseLong(m.group(11));
            String want = String.format("%-17s %6d %6d %6d %4d %4d : tunables %4d %4d %4d : slabdata %6d %6d %6d", name, active, num,
                    objsize, perSlab, pages, 0, 0, 0, activeSlabs, numSlabs, 0);
            check(line.equals(want), SLABINFO, "the printf layout: [" + line + "]");
            Cache c = unmatched.get(name);
            if (c == null || c.n("slab_size") != objsize) {
                String target = links.get(name);
                c = target == null ? null : unmatched.get(target);
            }
            if (!check(c != null && c.n("slab_size") == objsize, SLABINFO, "no cache directory for [" + line + "]")) continue;
            unmatched.remove(c.dir);
            String w = SLABINFO + " " + name;
            check(num == c.n("total_objects"), w, "num_objs = total_objects " + c.n("total_objects"));
            check(c.n("partial") > 10000 || active == c.n("objects"), w, "active_objs = objects " + c.n("objects"));
            check(perSlab == c.n("objs_per_slab") && pages == 1L << c.n("order"), w, "objperslab and pagesperslab");
            check(activeSlabs == numSlabs && numSlabs == c.n("slabs"), w, "active_slabs = num_slabs = slabs " + c.n("slabs"));
        }
        check(unmatched.isEmpty(), SLABINFO, "no line for " + unmatched.keySet());
    }
}
