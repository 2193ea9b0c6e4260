package ksim.fs;

/**
 * Who performs a filesystem operation: the host thread that issued it and its credentials,
 * as the FUSE request carries them. The simulated kernel maps the thread to a task of its own
 * where it needs `current` (/proc/self).
 */
public record Caller(int hostTid, int uid, int gid) {
    /** An in-process caller (tests, the control plane) that is not a host thread. */
    public static final Caller KERNEL = new Caller(0, 0, 0);
}
