package ksim.kernel;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ksim.mm.slub.Ctor;
import ksim.mm.slub.KmemCache;
import ksim.mm.slub.SlabFlags;
import ksim.mm.slub.Slub;

/**
 * Slab operations a user drives from outside (the control plane): kmem_cache_create,
 * allocations from a named cache on a chosen CPU, frees by handle (an object's address),
 * kmem_cache_shrink and kmem_cache_destroy. Each runs under the kernel lock. Only the caches
 * and objects made here can be destroyed or freed here; the kernel's own stay the kernel's,
 * but freeing something already free still reaches SLUB, which reports the double free.
 */
public final class SlabOps {
    /** The most objects one alloc request may ask for. */
    public static final int MAX_ALLOC = 1_000_000;

    /**
     * What kmem_cache_create did.
     *
     * @param name      the name asked for
     * @param sysfsName the /sys/kernel/slab directory it resolves to
     * @param merged    whether it became an alias of an existing cache
     */
    public record Created(String name, String sysfsName, boolean merged) {}

    private final Kernel k;
    /** Names created here, with the cache each resolved to (kmem_cache_create's return value). */
    private final Map<String, KmemCache> created = new LinkedHashMap<>();
    /** Objects allocated here: handle to cache. */
    private final Map<Long, KmemCache> owned = new HashMap<>();

    SlabOps(Kernel k) {
        this.k = k;
    }

    private Slub slub() {
        return k.slub();
    }

    /**
     * kmem_cache_create(name, size, align, flags, ctor). flags as SlabFlags.parse() reads them
     * ("" or "0" for none); ctor a symbol ("init_once", "init_once/0x10") or null.
     */
    public Created create(String name, int size, int align, String flags, String ctor) {
        return k.locked(() -> {
            if (created.containsKey(name)) throw Errno.EEXIST.error(name + " was already created here; destroy it first");
            int f = SlabFlags.parse(flags == null ? "" : flags);
            Ctor c = ctor == null || ctor.isBlank() ? null : Ctor.parse(ctor);
            int before = slub().caches().size();
            KmemCache s = slub().create(name, size, Slub.Args.of(align, c), f);
            created.put(name, s);
            return new Created(name, s.sysfsName(), slub().caches().size() == before);
        });
    }

    private KmemCache resolve(String cache) {
        KmemCache s = slub().find(cache);
        if (s == null) throw Errno.ENOENT.error("no slab cache " + cache);
        return s;
    }

    /** kmem_cache_alloc() n times on cpu; all or nothing. Returns the objects' handles. */
    public long[] alloc(String cache, int n, int cpu) {
        if (n < 1 || n > MAX_ALLOC) throw Errno.EINVAL.error("count must be 1.." + MAX_ALLOC);
        return k.locked(() -> {
            KmemCache s = resolve(cache);
            long[] out = new long[n];
            int i = 0;
            try {
                for (; i < n; i++) out[i] = slub().alloc(s, cpu);
            } catch (KernelError e) {
                for (int j = 0; j < i; j++) slub().free(s, out[j], cpu);
                throw e;
            }
            for (long h : out) owned.put(h, s);
            return out;
        });
    }

    /** kfree(handle) on cpu: the object goes back to whichever cache it is from. */
    public void free(long handle, int cpu) {
        k.locked(() -> {
            KmemCache s = owned.get(handle);
            if (s != null) {
                slub().free(s, handle, cpu);
                owned.remove(handle);
                return;
            }
            refuseForeign(handle, cpu);
            slub().kfree(handle, cpu);
        });
    }

    /**
     * kmem_cache_free(cache, handle) on cpu: EINVAL (and nothing freed) if the object is from
     * another cache, as SLUB's cache_from_obj() check reports.
     */
    public void free(String cache, long handle, int cpu) {
        k.locked(() -> {
            KmemCache s = resolve(cache);
            if (owned.containsKey(handle)) {
                slub().free(s, handle, cpu);
                owned.remove(handle);
                return;
            }
            refuseForeign(handle, cpu);
            slub().free(s, handle, cpu);
        });
    }

    /**
     * An object not allocated here: if it is live it is the kernel's, which this interface
     * may not free (EPERM). A free one goes on to SLUB, which reports the double free.
     */
    private void refuseForeign(long handle, int cpu) {
        if (slub().isAllocated(handle)) {
            throw Errno.EPERM.error(String.format("object 0x%x belongs to the kernel, not to the control plane", handle));
        }
    }

    /** kmem_cache_shrink(): 0 when every slab could be given back. */
    public int shrink(String cache, int cpu) {
        return k.locked(() -> slub().shrink(resolve(cache), cpu));
    }

    /**
     * kmem_cache_destroy() of a name created here: an alias only drops its reference; EBUSY
     * while the cache still has objects. EPERM for the kernel's caches.
     */
    public void destroy(String name, int cpu) {
        k.locked(() -> {
            KmemCache s = created.get(name);
            if (s == null) {
                throw (slub().find(name) == null ? Errno.ENOENT : Errno.EPERM).error(name + " was not created through the control plane");
            }
            slub().destroy(s, cpu);
            created.remove(name);
        });
    }

    /** The handles allocated here and not yet freed, from one cache (by any of its names). */
    public List<Long> owned(String cache) {
        return k.locked(() -> {
            KmemCache s = resolve(cache);
            List<Long> out = new ArrayList<>();
            for (var e : owned.entrySet()) if (e.getValue() == s) out.add(e.getKey());
            out.sort(null);
            return out;
        });
    }
}
