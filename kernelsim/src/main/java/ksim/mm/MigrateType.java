package ksim.mm;

import java.util.List;

/**
 * enum migratetype (include/linux/mmzone.h) and migratetype_names[]. Every pageblock has one;
 * every free block sits on the free list of its pageblock's type. This kernel is built without
 * CONFIG_CMA, like the reference machine, so CMA is part of the enum but never listed and
 * never used; HighAtomic and Isolate lists exist and stay empty (no high-order atomic
 * reserves, no memory offlining).
 */
public enum MigrateType {
    UNMOVABLE("Unmovable"),
    MOVABLE("Movable"),
    RECLAIMABLE("Reclaimable"),
    HIGHATOMIC("HighAtomic"),
    CMA("CMA"),
    ISOLATE("Isolate");

    /** CONFIG_CMA: off, so MIGRATE_CMA does not exist in /proc/pagetypeinfo. */
    public static final boolean CONFIG_CMA = false;
    /** MIGRATE_PCPTYPES: the types with per-cpu lists, which may fall back to each other. */
    public static final int PCPTYPES = 3;
    /** The types the kernel has (MIGRATE_TYPES), in pagetypeinfo's order. */
    public static final List<MigrateType> TYPES = CONFIG_CMA ? List.of(values())
            : List.of(UNMOVABLE, MOVABLE, RECLAIMABLE, HIGHATOMIC, ISOLATE);
    private static final MigrateType[] ALL = values();

    /** migratetype_names[]: what pagetypeinfo prints. */
    public final String text;

    MigrateType(String text) {
        this.text = text;
    }

    static MigrateType of(int ordinal) {
        return ALL[ordinal];
    }

    /** fallbacks[] in mm/page_alloc.c: where each mobility type may take pages from, in order. */
    private static final MigrateType[][] FALLBACKS = {
        {RECLAIMABLE, MOVABLE}, {RECLAIMABLE, UNMOVABLE}, {UNMOVABLE, MOVABLE}, {}, {}, {}};

    MigrateType[] fallbacks() {
        return FALLBACKS[ordinal()];
    }

    /** migratetype_is_mergeable(): free blocks of these types merge across pageblocks. */
    boolean mergeable() {
        return ordinal() < PCPTYPES;
    }
}
