package ksim.kernel;

/**
 * A kernel operation failed with an errno. The one exception type that crosses from the
 * kernel to its callers (procfs, the FUSE bridge, the control plane); it carries no stack
 * trace because it is an expected outcome, not a bug.
 */
public final class KernelError extends RuntimeException {
    private final Errno errno;

    public KernelError(Errno errno, String message) {
        super(errno.name() + ": " + message, null, false, false);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
