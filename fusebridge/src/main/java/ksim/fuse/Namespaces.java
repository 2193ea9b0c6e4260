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
     * only the stand-in, never the model or a host process.)
     *
     * The command itself then gets, in the namespace, the pid its visitor task will get in the
     * model (ksim's last pid + 1, set through a descriptor of the real ns_last_pid kept open
     * across the mounts; /sys is bound first so that no mount(8) looks at ksim's /proc/self):
     * getpid() and /proc/self agree, which clients that look themselves up by number (ps,
     * killall) or skip their own pid (pgrep, pkill) rely on. Everything dies with the namespace.
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
                        + " exec 3> /proc/sys/kernel/ns_last_pid"
                        + " && mount --bind \"$1/sys\" /sys && mount --bind \"$1/proc\" /proc"
                        + " && read -r l1 l5 l15 lrun last < /proc/loadavg && echo \"$last\" >&3 && exec 3>&-"
                        + " && shift 2 && \"$@\"",
                "ksim-with-proc", dir.toString(), list.toString().strip()));
        a.addAll(command);
        return a;
    }
}
