package ksim.mm;

/**
 * The page cache (mm/filemap.c) as far as this kernel fills it: the files boot reads (binaries,
 * libraries, configuration), read ahead one page at a time as ext4 without large folios does,
 * and the block devices' buffer pages (nr_blockdev_pages(), meminfo's Buffers). Files read
 * more than once were promoted by mark_page_accessed(): half of the boot cache sits on the
 * active file list. Reading them from disk counted pgpgin.
 */
public final class PageCache {
    /** 512-byte sectors per page, as submit_bio() counts pgpgin. */
    private static final int SECTORS_PER_PAGE = 8;
    private final Folios folios;
    private final VmEvents events;
    private final LongList active = new LongList(1024);
    private final LongList inactive = new LongList(1024);
    private final LongList buffers = new LongList(256);

    PageCache(Folios folios, VmEvents events) {
        this.folios = folios;
        this.events = events;
    }

    /** Reads filePages of files and bufferPages of block-device metadata into the cache. */
    public void readAtBoot(long filePages, long bufferPages) {
        for (long i = 0; i < filePages; i++) {
            if (i % 2 == 0) active.add(folios.alloc(PageUse.FILE_ACTIVE, 0));
            else inactive.add(folios.alloc(PageUse.FILE_INACTIVE, 0));
        }
        for (long i = 0; i < bufferPages; i++) buffers.add(folios.alloc(PageUse.BUFFERS, 0));
        events.count(VmEventItem.PGPGIN, (filePages + bufferPages) * SECTORS_PER_PAGE);
    }

    /** Pages in the cache, buffers included (NR_FILE_PAGES without shmem). */
    public long pages() {
        return active.size() + inactive.size() + buffers.size();
    }
}
