package ksim.fuse;

import java.util.ArrayList;
import java.util.List;
import ksim.fs.SuperBlock;

/**
 * The libfuse options a mount is made with. Entries and attributes are cached only as long as
 * the filesystem allows (zero unless it invalidates stale entries itself, since processes come
 * and go between two reads); never negative entries; use_ino so our inode numbers reach stat() and
 * readdir; default_permissions so the kernel enforces modes (environ is 0400).
 */
public record MountOptions(boolean singleThreaded, boolean allowOther) {

    /**
     * One request thread: measured faster than libfuse's pool for /proc work (scripts/bench),
     * whose threads come and go and attach to the JVM each time.
     */
    public static MountOptions defaults() {
        return new MountOptions(true, isRoot());
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    String[] toArgs(SuperBlock sb) {
        List<String> args = new ArrayList<>();
        if (singleThreaded) args.add("-s");
        int t = sb.cacheSeconds();
        StringBuilder o = new StringBuilder("use_ino,attr_timeout=" + t + ",entry_timeout=" + t + ",negative_timeout=0,default_permissions");
        o.append(",fsname=ksim,subtype=ksim-").append(sb.type());
        // A disk filesystem: 128 KiB writes, and unlink of an open file really unlinks it (the
        // inode lives on until the last close) instead of libfuse's .fuse_hidden renames.
        if (!sb.synthetic()) o.append(",big_writes,hard_remove");
        if (allowOther) o.append(",allow_other");
        args.add("-o");
        args.add(o.toString());
        return args.toArray(new String[0]);
    }
}
