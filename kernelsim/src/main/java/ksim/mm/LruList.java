package ksim.mm;

/**
 * enum lru_list (include/linux/mmzone.h): the reclaim lists a user page sits on, each counted
 * per node (NR_LRU_BASE + lru) and per zone (NR_ZONE_LRU_BASE + lru), as update_lru_size() does.
 */
public enum LruList {
    INACTIVE_ANON(NodeStatItem.NR_INACTIVE_ANON, ZoneStatItem.NR_ZONE_INACTIVE_ANON),
    ACTIVE_ANON(NodeStatItem.NR_ACTIVE_ANON, ZoneStatItem.NR_ZONE_ACTIVE_ANON),
    INACTIVE_FILE(NodeStatItem.NR_INACTIVE_FILE, ZoneStatItem.NR_ZONE_INACTIVE_FILE),
    ACTIVE_FILE(NodeStatItem.NR_ACTIVE_FILE, ZoneStatItem.NR_ZONE_ACTIVE_FILE),
    UNEVICTABLE(NodeStatItem.NR_UNEVICTABLE, ZoneStatItem.NR_ZONE_UNEVICTABLE);

    final NodeStatItem nodeItem;
    final ZoneStatItem zoneItem;

    LruList(NodeStatItem nodeItem, ZoneStatItem zoneItem) {
        this.nodeItem = nodeItem;
        this.zoneItem = zoneItem;
    }
}
