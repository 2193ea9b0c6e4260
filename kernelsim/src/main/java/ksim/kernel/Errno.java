package ksim.kernel;

/** The error numbers the simulated kernel returns (include/uapi/asm-generic/errno-base.h). */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), ECHILD(10), EAGAIN(11),
    ENOMEM(12), EACCES(13), EFAULT(14), EBUSY(16), EEXIST(17), EXDEV(18), ENODEV(19), ENOTDIR(20), EISDIR(21),
    EINVAL(22), ENFILE(23), EMFILE(24), ENOTTY(25), EFBIG(27), ENOSPC(28), ESPIPE(29), EROFS(30),
    EMLINK(31), ERANGE(34), ENAMETOOLONG(36), ENOSYS(38), ENOTEMPTY(39), ELOOP(40),
    ENODATA(61), EOPNOTSUPP(95);

    public final int value;

    Errno(int value) {
        this.value = value;
    }

    /** Throws this errno as a KernelError; the usual way a kernel operation fails. */
    public KernelError error(String message) {
        return new KernelError(this, message);
    }
}
