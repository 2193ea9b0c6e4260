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

    /**
     * Like withProc, and before the mounts a stand-in process (a sleeping sleep(1)) is made to
     * hold each of pids in the new pid namespace, by setting ns_last_pid to pid - 1 before each
     * fork. kill(pid, 0) there then succeeds for exactly the simulated pids that had a stand-in,
     * so pkill -0, killall -0 and kill -0 agree with the /proc they read. (A real signal reaches
     * only the stand-in, never the model or a host process.) The command does not run as pid 1
     * (that is the shell holding the stand-ins), so clients that skip their own pid still see
     * pid 1. Pid 1 needs no stand-in; everything dies with the namespace.
     */
    public static List<String> withProcAndStandIns(Path dir, java.util.Collection<Integer> pids, List<String> command) {
        List<String> a = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--propagation", "private"));
        if (!MountOptions.isRoot()) a.addAll(List.of("--user", "--map-root-user"));
        StringBuilder list = new StringBuilder();
        for (int pid : new java.util.TreeSet<>(pids)) if (pid > 1) list.append(pid).append(' ');
        a.addAll(List.of("--", "sh", "-c",
                "for p in $2; do echo $((p - 1)) > /proc/sys/kernel/ns_last_pid;"
                        + " sleep 100000 </dev/null >/dev/null 2>&1 &"
                        + " [ \"$!\" = \"$p\" ] || { echo \"ksim-with-proc: stand-in for $p got pid $!\" >&2; exit 125; }; done;"
                        + " mount --bind \"$1/proc\" /proc && mount --bind \"$1/sys\" /sys && shift 2 && \"$@\"",
                "ksim-with-proc", dir.toString(), list.toString().strip()));
        a.addAll(command);
        return a;
    }
}
