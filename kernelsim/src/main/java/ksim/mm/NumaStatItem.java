package ksim.mm;

/** enum numa_stat_item (include/linux/mmzone.h): the per-zone NUMA allocation events. */
public enum NumaStatItem {
    NUMA_HIT("numa_hit"),
    NUMA_MISS("numa_miss"),
    NUMA_FOREIGN("numa_foreign"),
    NUMA_INTERLEAVE("numa_interleave"),
    NUMA_LOCAL("numa_local"),
    NUMA_OTHER("numa_other");

    public final String text;

    NumaStatItem(String text) {
        this.text = text;
    }
}
