package ksim.fs.sysfs;

import ksim.kernel.Errno;

/**
 * kstrtoull() and friends (lib/kstrtox.c) in base 10, as sysfs stores parse numbers: an
 * optional '+', decimal digits, at most one trailing newline, nothing else (the buffer ends at
 * its first NUL). No digits or stray characters are EINVAL; a value too large for the type
 * is ERANGE.
 */
public final class Kstrtox {
    private Kstrtox() {}

    /** kstrtoull(s, 10): the value as an unsigned 64-bit number held in a long. */
    public static long kstrtoull(byte[] buf) {
        int end = 0;
        while (end < buf.length && buf[end] != 0) end++;
        int i = 0;
        if (i < end && buf[i] == '+') i++;
        long v = 0;
        boolean overflow = false;
        int digits = 0;
        while (i < end && buf[i] >= '0' && buf[i] <= '9') {
            int d = buf[i] - '0';
            // v * 10 + d > 2^64 - 1 ?
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) overflow = true;
            v = v * 10 + d;
            digits++;
            i++;
        }
        if (overflow) throw Errno.ERANGE.error("number too large");
        if (digits == 0) throw Errno.EINVAL.error("not a number");
        if (i < end && buf[i] == '\n') i++;
        if (i < end) throw Errno.EINVAL.error("trailing characters after the number");
        return v;
    }

    /** kstrtoul() on a 64-bit kernel. */
    public static long kstrtoul(byte[] buf) {
        return kstrtoull(buf);
    }

    /** kstrtouint(): ERANGE above 2^32 - 1. */
    public static long kstrtouint(byte[] buf) {
        long v = kstrtoull(buf);
        if (Long.compareUnsigned(v, 0xffffffffL) > 0) throw Errno.ERANGE.error("number too large for an unsigned int");
        return v;
    }
}
