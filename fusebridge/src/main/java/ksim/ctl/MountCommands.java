package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import ksim.fs.Mount;
import ksim.kernel.Errno;

/**
 * mount, umount and mounts: filesystems mounted inside the running kernel (do_new_mount,
 * do_umount in fs/namespace.c), which the bridge serves on the host; the mount table as
 * /proc/self/mountinfo shows it.
 */
final class MountCommands {
    private MountCommands() {}

    static void register(Commands c) {
        c.add("mount", "mount TYPE IMAGE DIR [-o OPTIONS]   (TYPE ext2; IMAGE and DIR absolute; OPTIONS ro,rw,user_xattr; "
                + "served at <instance>/root/DIR)", Set.of("options"), Set.of(), MountCommands::mount);
        c.add("umount", "umount DIR   (writes back, marks clean and frees the filesystem's objects; EBUSY while a file is open)",
                Set.of(), Set.of(), MountCommands::umount);
        c.add("mounts", "mounts   (rows id:parent:type:dir)", Set.of(), Set.of(), MountCommands::list);
    }

    private static Reply mount(Ctl ctl, Args a) {
        List<String> pos = new ArrayList<>(a.positional());
        String opts = a.value("options", null);
        int o = pos.indexOf("-o");
        if (o >= 0) {
            if (o + 1 >= pos.size()) throw Errno.EINVAL.error("mount: -o needs a value");
            opts = pos.get(o + 1);
            pos.remove(o + 1);
            pos.remove(o);
        }
        if (pos.size() != 3) throw Errno.EINVAL.error("mount: usage: mount TYPE IMAGE DIR [-o OPTIONS]");
        List<String> options = opts == null ? List.of() : List.of(opts.split(",", -1));
        Mount m = ctl.kernel.mounts().mount(pos.get(0), pos.get(1), pos.get(2), options);
        Reply r = Reply.ok().put("id", m.id()).put("dir", m.mountpoint()).put("type", m.fstype())
                .put("dev", m.major() + ":" + m.minor()).put("ro", m.readOnly() ? 1 : 0);
        if (m.hostPath() != null) r.put("at", m.hostPath());
        return r;
    }

    private static Reply umount(Ctl ctl, Args a) {
        a.atMost(1);
        Mount m = ctl.kernel.mounts().umount(a.pos(0, "dir"));
        return Reply.ok().put("id", m.id()).put("dir", m.mountpoint());
    }

    private static Reply list(Ctl ctl, Args a) {
        a.atMost(0);
        List<Mount> all = ctl.kernel.mounts().list();
        Reply r = Reply.ok().put("count", all.size()).rows("mounts", List.of("id", "parent", "type", "dir", "source", "dev"), 4);
        for (Mount m : all) r.row(List.of(m.id(), m.parent().id(), m.fstype(), m.mountpoint(), m.source(), m.major() + ":" + m.minor()));
        return r;
    }
}
