package ksim.mm;

/**
 * What a present page table entry of a VMA maps, which decides the rss counter it is charged
 * to (mm_counter(): MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS) and how smaps
 * reports it (clean or dirty).
 */
public enum PageKind {
    /** An anonymous page, or a private copy of a file page after a write (COW): always dirty. */
    ANON,
    /** A page-cache page of a regular file, not written through this mapping. */
    FILE,
    /** A page-cache page written through a shared mapping. */
    FILE_DIRTY,
    /** A page of shmem/tmpfs (shared anonymous memory, /dev/shm, SysV shm). */
    SHMEM,
    /** An anonymous page that was swapped out: a swap entry, not resident. */
    SWAP;

    public boolean resident() {
        return this != SWAP;
    }

    public boolean dirty() {
        return this == ANON || this == FILE_DIRTY || this == SHMEM;
    }
}
