package ksim.fs;

/**
 * Where a mounted filesystem's VFS objects come from (fs/inode.c alloc_inode through
 * s_op->alloc_inode, fs/dcache.c __d_alloc, fs/buffer.c alloc_buffer_head, fs/file_table.c
 * alloc_empty_file): each object is charged when it is made and uncharged when it is freed.
 * NONE charges nothing, for a filesystem served without a kernel (ksim mount-ext2).
 */
public interface VfsSlab {
    /** The kind of object, one kmem_cache each. */
    enum Kind { INODE, DENTRY, BUFFER_HEAD, FILP }

    void charge(Kind kind, Object obj);

    void uncharge(Kind kind, Object obj);

    VfsSlab NONE = new VfsSlab() {
        @Override
        public void charge(Kind kind, Object obj) {}

        @Override
        public void uncharge(Kind kind, Object obj) {}
    };
}
