package ksim.mm.slub;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ksim.kernel.Errno;

/**
 * slab_flags_t (include/linux/slab.h, enum _slab_flag_bits): the SLAB_* bits a cache is created
 * with, in the kernel's bit order for this configuration (no DEBUG_OBJECTS, FAILSLAB, KASAN or
 * KFENCE; MEMCG on), and the masks mm/slab_common.c and mm/slub.c build from them.
 */
public final class SlabFlags {
    private SlabFlags() {}

    public static final int CONSISTENCY_CHECKS = 1 << 0;
    public static final int RED_ZONE = 1 << 1;
    public static final int POISON = 1 << 2;
    public static final int KMALLOC = 1 << 3;
    public static final int HWCACHE_ALIGN = 1 << 4;
    public static final int CACHE_DMA = 1 << 5;
    public static final int CACHE_DMA32 = 1 << 6;
    public static final int STORE_USER = 1 << 7;
    public static final int PANIC = 1 << 8;
    public static final int TYPESAFE_BY_RCU = 1 << 9;
    public static final int TRACE = 1 << 10;
    public static final int NOLEAKTRACE = 1 << 11;
    public static final int NO_MERGE = 1 << 12;
    public static final int ACCOUNT = 1 << 13;
    public static final int NO_USER_FLAGS = 1 << 14;
    public static final int RECLAIM_ACCOUNT = 1 << 15;
    /** __OBJECT_POISON: internal, set by calculate_sizes() when objects are poisoned. */
    public static final int OBJECT_POISON = 1 << 16;

    /** SLAB_DEBUG_FLAGS: the flags that make kmem_cache_debug() true (F, Z, P, U, T). */
    public static final int DEBUG_FLAGS = RED_ZONE | POISON | STORE_USER | TRACE | CONSISTENCY_CHECKS;
    /** SLAB_NEVER_MERGE (mm/slab_common.c). */
    public static final int NEVER_MERGE = RED_ZONE | POISON | STORE_USER | TRACE | TYPESAFE_BY_RCU | NOLEAKTRACE | NO_MERGE;
    /** SLAB_MERGE_SAME: a merge target must agree on these. */
    public static final int MERGE_SAME = RECLAIM_ACCOUNT | CACHE_DMA | CACHE_DMA32 | ACCOUNT;
    /** Flags a kmem_cache_create() caller may pass (the internal ones are refused with EINVAL). */
    public static final int PERMITTED = CONSISTENCY_CHECKS | RED_ZONE | POISON | HWCACHE_ALIGN | CACHE_DMA
            | CACHE_DMA32 | STORE_USER | PANIC | TYPESAFE_BY_RCU | TRACE | NOLEAKTRACE | NO_MERGE | ACCOUNT
            | NO_USER_FLAGS | RECLAIM_ACCOUNT;

    private static final String[] NAMES = {
        "CONSISTENCY_CHECKS", "RED_ZONE", "POISON", "KMALLOC", "HWCACHE_ALIGN", "CACHE_DMA", "CACHE_DMA32",
        "STORE_USER", "PANIC", "TYPESAFE_BY_RCU", "TRACE", "NOLEAKTRACE", "NO_MERGE", "ACCOUNT",
        "NO_USER_FLAGS", "RECLAIM_ACCOUNT", "OBJECT_POISON"
    };

    /**
     * Parses a flag list as a caller writes it: names separated by '|' or ',', with or without
     * the SLAB_ prefix, in any case ("SLAB_HWCACHE_ALIGN|SLAB_ACCOUNT", "hwcache_align,account"),
     * or a number ("0", "0x2010"). Unknown names and internal flags are EINVAL.
     */
    public static int parse(String text) {
        String t = text.strip();
        if (t.isEmpty()) return 0;
        if (t.matches("0[xX][0-9a-fA-F]+|[0-9]+")) {
            long v = t.startsWith("0x") || t.startsWith("0X") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
            if ((v & ~(long) PERMITTED) != 0) throw Errno.EINVAL.error("flags 0x" + Long.toHexString(v) + " include ones a caller may not pass");
            return (int) v;
        }
        int flags = 0;
        for (String part : t.split("[|,]")) {
            String n = part.strip().toUpperCase(Locale.ROOT);
            if (n.startsWith("SLAB_")) n = n.substring(5);
            if (n.equals("RECLAIM")) n = "RECLAIM_ACCOUNT";
            if (n.equals("HWCACHE")) n = "HWCACHE_ALIGN";
            if (n.equals("DESTROY_BY_RCU") || n.equals("RCU")) n = "TYPESAFE_BY_RCU";
            int bit = -1;
            for (int i = 0; i < NAMES.length; i++) if (NAMES[i].equals(n)) bit = i;
            if (bit < 0) throw Errno.EINVAL.error("unknown slab flag " + part.strip());
            if (((1 << bit) & PERMITTED) == 0) throw Errno.EINVAL.error("SLAB_" + n + " is internal to the allocator");
            flags |= 1 << bit;
        }
        return flags;
    }

    /** The flags as SLAB_X|SLAB_Y, or 0. */
    public static String toString(int flags) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < NAMES.length; i++) if ((flags & (1 << i)) != 0) out.add("SLAB_" + NAMES[i]);
        return out.isEmpty() ? "0" : String.join("|", out);
    }
}
