package ksim.fs.proc;

import java.util.function.Function;
import ksim.fs.Caller;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;

/** A proc symlink whose target is computed per reader (proc_self_get_link, proc_cwd_link...). */
final class ProcSymlink implements Inode {
    private final InodeAttr attr;
    private final Function<Caller, String> target;

    ProcSymlink(long ino, int uid, int gid, long mtimeNs, Function<Caller, String> target) {
        this.attr = new InodeAttr(ino, Mode.S_IFLNK | 0777, 1, uid, gid, 0, mtimeNs);
        this.target = target;
    }

    @Override
    public InodeAttr getattr() {
        return attr;
    }

    @Override
    public String readlink(Caller caller) {
        return target.apply(caller);
    }
}
