package ksim.mm;

/**
 * enum node_stat_item (include/linux/mmzone.h): the per-node counters, in the order zoneinfo's
 * "per-node stats" and /proc/vmstat print them. Counted in pages, except nr_kernel_stack (KiB).
 */
public enum NodeStatItem {
    NR_INACTIVE_ANON("nr_inactive_anon"),
    NR_ACTIVE_ANON("nr_active_anon"),
    NR_INACTIVE_FILE("nr_inactive_file"),
    NR_ACTIVE_FILE("nr_active_file"),
    NR_UNEVICTABLE("nr_unevictable"),
    NR_SLAB_RECLAIMABLE("nr_slab_reclaimable"),
    NR_SLAB_UNRECLAIMABLE("nr_slab_unreclaimable"),
    NR_ISOLATED_ANON("nr_isolated_anon"),
    NR_ISOLATED_FILE("nr_isolated_file"),
    WORKINGSET_NODES("workingset_nodes"),
    WORKINGSET_REFAULT_ANON("workingset_refault_anon"),
    WORKINGSET_REFAULT_FILE("workingset_refault_file"),
    WORKINGSET_ACTIVATE_ANON("workingset_activate_anon"),
    WORKINGSET_ACTIVATE_FILE("workingset_activate_file"),
    WORKINGSET_RESTORE_ANON("workingset_restore_anon"),
    WORKINGSET_RESTORE_FILE("workingset_restore_file"),
    WORKINGSET_NODERECLAIM("workingset_nodereclaim"),
    NR_ANON_PAGES("nr_anon_pages"),
    NR_MAPPED("nr_mapped"),
    NR_FILE_PAGES("nr_file_pages"),
    NR_DIRTY("nr_dirty"),
    NR_WRITEBACK("nr_writeback"),
    NR_SHMEM("nr_shmem"),
    NR_SHMEM_HUGEPAGES("nr_shmem_hugepages"),
    NR_SHMEM_PMDMAPPED("nr_shmem_pmdmapped"),
    NR_FILE_HUGEPAGES("nr_file_hugepages"),
    NR_FILE_PMDMAPPED("nr_file_pmdmapped"),
    NR_ANON_TRANSPARENT_HUGEPAGES("nr_anon_transparent_hugepages"),
    NR_VMSCAN_WRITE("nr_vmscan_write"),
    NR_VMSCAN_IMMEDIATE_RECLAIM("nr_vmscan_immediate_reclaim"),
    NR_DIRTIED("nr_dirtied"),
    NR_WRITTEN("nr_written"),
    NR_THROTTLED_WRITTEN("nr_throttled_written"),
    NR_KERNEL_MISC_RECLAIMABLE("nr_kernel_misc_reclaimable"),
    NR_FOLL_PIN_ACQUIRED("nr_foll_pin_acquired"),
    NR_FOLL_PIN_RELEASED("nr_foll_pin_released"),
    NR_KERNEL_STACK("nr_kernel_stack"),
    NR_PAGE_TABLE_PAGES("nr_page_table_pages"),
    NR_SEC_PAGE_TABLE_PAGES("nr_sec_page_table_pages"),
    NR_IOMMU_PAGES("nr_iommu_pages"),
    NR_SWAPCACHED("nr_swapcached"),
    PGPROMOTE_SUCCESS("pgpromote_success"),
    PGPROMOTE_CANDIDATE("pgpromote_candidate"),
    PGPROMOTE_CANDIDATE_NRL("pgpromote_candidate_nrl"),
    PGDEMOTE_KSWAPD("pgdemote_kswapd"),
    PGDEMOTE_DIRECT("pgdemote_direct"),
    PGDEMOTE_KHUGEPAGED("pgdemote_khugepaged"),
    PGDEMOTE_PROACTIVE("pgdemote_proactive"),
    NR_HUGETLB("nr_hugetlb"),
    NR_BALLOON_PAGES("nr_balloon_pages"),
    NR_KERNEL_FILE_PAGES("nr_kernel_file_pages");

    public final String text;

    NodeStatItem(String text) {
        this.text = text;
    }
}
