package ksim.fs;

/**
 * struct buffer_head (include/linux/buffer_head.h): one block of a device in memory, with the
 * state bits a filesystem needs: dirty (BH_Dirty, with the time it became dirty for writeback),
 * and checked, set by the filesystem once it has validated the contents (PageChecked).
 */
public final class BufferHead {
    public final long blocknr;
    public final byte[] data;
    boolean dirty;
    long dirtiedAt;
    private boolean checked;

    BufferHead(long blocknr, int size) {
        this.blocknr = blocknr;
        this.data = new byte[size];
    }

    public boolean dirty() {
        return dirty;
    }

    public boolean checked() {
        return checked;
    }

    public void setChecked(boolean c) {
        checked = c;
    }
}
