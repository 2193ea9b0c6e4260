package ksim.fs;

/**
 * struct dentry (include/linux/dcache.h): a name in a directory and the inode it names, or
 * no inode for a negative entry (a name known not to exist). The root's parent is itself.
 */
public final class Dentry {
    Dentry parent;
    String name;
    Inode inode;

    Dentry(Dentry parent, String name, Inode inode) {
        this.parent = parent == null ? this : parent;
        this.name = name;
        this.inode = inode;
    }

    public Dentry parent() {
        return parent;
    }

    public String name() {
        return name;
    }

    /** The inode, or null for a negative dentry. */
    public Inode inode() {
        return inode;
    }

    public boolean negative() {
        return inode == null;
    }

    /** The path from the mount's root ("/" for the root itself), as d_path prints it. */
    public String path() {
        if (parent == this) return "/";
        StringBuilder sb = new StringBuilder();
        for (Dentry d = this; d.parent != d; d = d.parent) sb.insert(0, d.name).insert(0, '/');
        return sb.toString();
    }
}
