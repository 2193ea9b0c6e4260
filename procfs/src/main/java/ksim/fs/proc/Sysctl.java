package ksim.fs.proc;

import java.nio.charset.StandardCharsets;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;

/**
 * The /proc/sys entries ksim serves (kernel/sysctl.c tables): each a show of one value and,
 * where Linux allows writes, a parser that validates and calls the kernel.
 */
final class Sysctl {
    private Sysctl() {}

    /** max_threads: what fork_init() sized from memory, or what was written since. */
    static long threadsMax(Kernel k) {
        return k.maxThreads();
    }

    static byte[] line(Object v) {
        return (v + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** proc_dointvec(): one decimal integer, surrounding whitespace allowed. */
    static long parseLong(byte[] data) {
        String s = new String(data, StandardCharsets.US_ASCII).strip();
        if (s.isEmpty()) throw Errno.EINVAL.error("empty value");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw Errno.EINVAL.error("not a number: " + s);
        }
    }

    /** proc_dostring(): the text up to the first newline. */
    static String parseString(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    static void writePidMax(Kernel k, byte[] data) {
        long v = parseLong(data);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) throw Errno.EINVAL.error("pid_max out of range");
        k.locked(() -> k.pids().setPidMax((int) v));
    }

    /** sysctl_max_threads(): 1..FUTEX_TID_MASK. */
    static void writeThreadsMax(Kernel k, byte[] data) {
        long v = parseLong(data);
        k.locked(() -> k.setMaxThreads(v));
    }

    static void writeHostname(Kernel k, byte[] data) {
        String name = parseString(data);
        k.locked(() -> k.setHostname(name));
    }

    static void writeMinFreeKbytes(Kernel k, byte[] data) {
        long v = parseLong(data);
        k.locked(() -> k.vmstat().setMinFreeKbytes(v));
    }
}
