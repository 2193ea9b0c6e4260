package ksim.kernel;

/**
 * The namespace types /proc/<pid>/ns shows (struct proc_ns_operations, ns_entries[] of
 * fs/proc/namespaces.c, in its order), each with the ns_common inode number of the initial
 * namespace (include/linux/proc_ns.h). ksim runs every task in the initial namespaces.
 */
public enum ProcNsOperations {
    NET("net", "net", 0xEFFFFFF9L, true),
    UTS("uts", "uts", 0xEFFFFFFEL, true),
    IPC("ipc", "ipc", 0xEFFFFFFFL, true),
    PID("pid", "pid", 0xEFFFFFFCL, false),
    PID_FOR_CHILDREN("pid_for_children", "pid", 0xEFFFFFFCL, true),
    USER("user", "user", 0xEFFFFFFDL, false),
    MNT("mnt", "mnt", 0xEFFFFFF8L, true),
    CGROUP("cgroup", "cgroup", 0xEFFFFFFBL, true),
    TIME("time", "time", 0xEFFFFFFAL, true),
    TIME_FOR_CHILDREN("time_for_children", "time", 0xEFFFFFFAL, true);

    /** The entry's name under /proc/<pid>/ns. */
    public final String name;
    /** ns_ops->name: what the link text starts with. */
    public final String type;
    /** ns_common.inum of the initial namespace: the link's number and the inode's st_ino. */
    public final long inum;
    /** Reached through task->nsproxy, which exit_task_namespaces() clears in do_exit(). */
    private final boolean viaNsproxy;

    ProcNsOperations(String name, String type, long inum, boolean viaNsproxy) {
        this.name = name;
        this.type = type;
        this.inum = inum;
        this.viaNsproxy = viaNsproxy;
    }

    /** ns_get_name(): the link text, "type:[inum]". */
    public String linkText() {
        return type + ":[" + inum + "]";
    }

    /**
     * ns_ops->get(task) succeeds: always for pid (task_active_pid_ns) and user (the cred),
     * and for the others only until the task has exited and dropped its nsproxy.
     */
    public boolean reachable(Task t) {
        return t.isAlive() && !(viaNsproxy && t.hasExited());
    }
}
