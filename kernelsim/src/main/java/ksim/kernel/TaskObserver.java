package ksim.kernel;

/**
 * Told of task events that make cached views stale (what proc_flush_pid() does in Linux when a
 * task is released). Called under the kernel lock: an observer must only record or enqueue.
 */
public interface TaskObserver {
    /** The task was released: its pid is free and /proc/<pid> is gone. */
    void released(Task t);

    /** The task's credentials changed: the owner of /proc/<pid> changes. */
    default void credentialsChanged(Task t) {}
}
