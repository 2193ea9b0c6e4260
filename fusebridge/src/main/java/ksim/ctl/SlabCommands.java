package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import ksim.kernel.Errno;
import ksim.kernel.SlabOps;

/**
 * kmem_cache_create, kmem_cache_alloc, kmem_cache_free, kmem_cache_shrink, kmem_cache_destroy:
 * the slab allocator driven by hand, so a learner can make a cache merge, watch a slab fill,
 * go partial and come back (mm/slab_common.c, mm/slub.c).
 */
final class SlabCommands {
    private SlabCommands() {}

    static void register(Commands c) {
        c.add("kmem_cache_create", "kmem_cache_create NAME SIZE [ALIGN] [FLAGS] [CTOR]   "
                + "(FLAGS like SLAB_HWCACHE_ALIGN|SLAB_ACCOUNT or 0; answers the sysfs name and whether it merged)",
                Set.of(), Set.of(), SlabCommands::create);
        c.add("kmem_cache_alloc", "kmem_cache_alloc NAME [--count N] [--cpu C]   (answers the objects' addresses)",
                Set.of("count", "cpu"), Set.of(), SlabCommands::alloc);
        c.add("kmem_cache_free", "kmem_cache_free NAME ADDR... [--cpu C]   (NAME 'all': every object allocated here from it)",
                Set.of("cpu"), Set.of(), SlabCommands::free);
        c.add("kmem_cache_shrink", "kmem_cache_shrink NAME [--cpu C]", Set.of("cpu"), Set.of(), SlabCommands::shrink);
        c.add("kmem_cache_destroy", "kmem_cache_destroy NAME [--cpu C]", Set.of("cpu"), Set.of(), SlabCommands::destroy);
    }

    private static int cpu(Ctl ctl, Args a) {
        return a.intValue("cpu", 0, 0, ctl.kernel.config().cpus() - 1);
    }

    private static Reply create(Ctl ctl, Args a) {
        a.atMost(5);
        String name = a.pos(0, "name");
        int size = a.posInt(1, "size", 0, Integer.MAX_VALUE);
        int align = a.positional().size() > 2 ? a.posInt(2, "align", 0, Integer.MAX_VALUE) : 0;
        String flags = a.positional().size() > 3 ? a.pos(3, "flags") : "";
        String ctor = a.positional().size() > 4 ? a.pos(4, "ctor") : null;
        SlabOps.Created c = ctl.kernel.slabOps().create(name, size, align, flags, ctor);
        return Reply.ok().put("name", c.name()).put("sysfs", c.sysfsName()).put("merged", c.merged() ? 1 : 0);
    }

    private static Reply alloc(Ctl ctl, Args a) {
        a.atMost(1);
        int n = a.intValue("count", 1, 1, SlabOps.MAX_ALLOC);
        long[] objs = ctl.kernel.slabOps().alloc(a.pos(0, "name"), n, cpu(ctl, a));
        List<String> addrs = new ArrayList<>(objs.length);
        for (long o : objs) addrs.add("0x" + Long.toHexString(o));
        return Reply.ok().put("count", objs.length).put("objects", addrs);
    }

    private static Reply free(Ctl ctl, Args a) {
        String cache = a.pos(0, "name");
        int cpu = cpu(ctl, a);
        SlabOps ops = ctl.kernel.slabOps();
        List<Long> handles = new ArrayList<>();
        for (int i = 1; i < a.positional().size(); i++) {
            String w = a.positional().get(i);
            if (w.equals("all")) handles.addAll(ops.owned(cache));
            else handles.add(parseAddress(w));
        }
        if (handles.isEmpty()) throw Errno.EINVAL.error("kmem_cache_free: name the objects (addresses, or 'all')");
        for (long h : handles) ops.free(cache, h, cpu);
        return Reply.ok().put("freed", handles.size());
    }

    private static long parseAddress(String w) {
        try {
            return w.startsWith("0x") ? Long.parseUnsignedLong(w.substring(2), 16) : Long.parseUnsignedLong(w);
        } catch (NumberFormatException e) {
            throw Errno.EINVAL.error("not an object address: " + w);
        }
    }

    private static Reply shrink(Ctl ctl, Args a) {
        a.atMost(1);
        return Reply.ok().put("result", ctl.kernel.slabOps().shrink(a.pos(0, "name"), cpu(ctl, a)));
    }

    private static Reply destroy(Ctl ctl, Args a) {
        a.atMost(1);
        ctl.kernel.slabOps().destroy(a.pos(0, "name"), cpu(ctl, a));
        return Reply.ok();
    }
}
