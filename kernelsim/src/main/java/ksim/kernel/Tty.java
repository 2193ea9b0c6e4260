package ksim.kernel;

/**
 * A terminal a session may own (struct tty_struct, reduced to its device, its name and the
 * foreground process group). tty_nr in /proc/<pid>/stat is new_encode_dev(MKDEV(major, minor)).
 */
public final class Tty {
    private final int major;
    private final int minor;
    private final String name;
    /** tty->pgrp: the foreground process group, shown as tpgid; 0 when none. */
    private int foregroundPgrp;

    public Tty(int major, int minor, String name) {
        this.major = major;
        this.minor = minor;
        this.name = name;
    }

    /** A Unix98 pseudo-terminal slave, /dev/pts/N: major 136, minor N (drivers/tty/pty.c). */
    public static Tty pts(int n) {
        return new Tty(136, n, "pts/" + n);
    }

    public int major() { return major; }
    public int minor() { return minor; }
    public String name() { return name; }
    public int foregroundPgrp() { return foregroundPgrp; }
    public void setForegroundPgrp(int pgrp) { this.foregroundPgrp = pgrp; }

    /** new_encode_dev(): the 32-bit device number userspace sees. */
    public int encoded() {
        return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
    }
}
