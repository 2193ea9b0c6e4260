package ksim.fs;

import java.util.LinkedHashMap;
import java.util.Map;
import ksim.kernel.Errno;

/**
 * A directory with a fixed set of entries, for synthetic filesystems (the simple_* helpers of
 * fs/libfs.c; proc_mkdir and its proc_dir_entry children in proc).
 */
public final class SimpleDir implements Inode {
    private final InodeAttr attr;
    private final long parentIno;
    private final Map<String, Inode> children = new LinkedHashMap<>();

    public SimpleDir(long ino, long parentIno, long mtimeNs) {
        this.attr = new InodeAttr(ino, Mode.S_IFDIR | 0555, 2, 0, 0, 0, mtimeNs);
        this.parentIno = parentIno;
    }

    public SimpleDir add(String name, Inode child) {
        children.put(name, child);
        return this;
    }

    public Map<String, Inode> children() {
        return children;
    }

    @Override
    public InodeAttr getattr() {
        int subdirs = 0;
        for (Inode c : children.values()) if (Mode.isDir(c.getattr().mode())) subdirs++;
        return new InodeAttr(attr.ino(), attr.mode(), 2 + subdirs, 0, 0, 0, attr.mtimeNs());
    }

    @Override
    public Inode lookup(String name, Caller caller) {
        Inode c = children.get(name);
        if (c == null) throw Errno.ENOENT.error(name);
        return c;
    }

    @Override
    public void readdir(Caller caller, DirEmitter out) {
        if (!out.emit(".", attr.ino(), attr.mode())) return;
        if (!out.emit("..", parentIno, Mode.S_IFDIR)) return;
        emitChildren(out);
    }

    /** The entries without "." and "..", for a directory that adds more of its own. */
    public boolean emitChildren(DirEmitter out) {
        for (var e : children.entrySet()) {
            InodeAttr a = e.getValue().getattr();
            if (!out.emit(e.getKey(), a.ino(), a.mode())) return false;
        }
        return true;
    }
}
