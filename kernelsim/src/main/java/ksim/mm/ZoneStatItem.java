package ksim.mm;

/** enum zone_stat_item (include/linux/mmzone.h): the per-zone counters, in print order. */
public enum ZoneStatItem {
    NR_FREE_PAGES("nr_free_pages"),
    NR_FREE_PAGES_BLOCKS("nr_free_pages_blocks"),
    NR_ZONE_INACTIVE_ANON("nr_zone_inactive_anon"),
    NR_ZONE_ACTIVE_ANON("nr_zone_active_anon"),
    NR_ZONE_INACTIVE_FILE("nr_zone_inactive_file"),
    NR_ZONE_ACTIVE_FILE("nr_zone_active_file"),
    NR_ZONE_UNEVICTABLE("nr_zone_unevictable"),
    NR_ZONE_WRITE_PENDING("nr_zone_write_pending"),
    NR_MLOCK("nr_mlock"),
    NR_ZSPAGES("nr_zspages"),
    NR_FREE_CMA("nr_free_cma");

    public final String text;

    ZoneStatItem(String text) {
        this.text = text;
    }
}
