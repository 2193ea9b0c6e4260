package ksim.fuse;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How a command is run against a mounted ksim: unshare(1) with the mounts bound over /proc and /sys. */
public final class Namespaces {
    private Namespaces() {}

    /**
     * The argv that runs command in new mount and pid namespaces with dir/proc bound over /proc
     * and dir/sys over /sys. Unprivileged users also get a user namespace, to be allowed to mount.
     */
    public static List<String> withProc(Path dir, List<String> command) {
        List<String> a = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--propagation", "private"));
        if (!MountOptions.isRoot()) a.addAll(List.of("--user", "--map-root-user"));
        a.addAll(List.of("--", "sh", "-c",
                "mount --bind \"$1/proc\" /proc && mount --bind \"$1/sys\" /sys && shift && exec \"$@\"",
                "ksim-with-proc", dir.toString()));
        a.addAll(command);
        return a;
    }
}
