package ksim.kernel;

import java.util.Locale;

/**
 * Signal numbers of x86-64 (arch/x86/include/uapi/asm/signal.h) and the default actions of
 * kernel/signal.c (the SIG_KERNEL_*_MASK macros of include/linux/signal.h). Signals are 1.._NSIG;
 * 0 is the "does it exist" probe of kill(2); SIGRTMIN..SIGRTMAX are the real-time ones.
 */
public final class Signum {
    private Signum() {}

    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6,
            SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
            SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
            SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
            SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
    /** The kernel's SIGRTMIN (glibc reserves 32 and 33 and calls 34 SIGRTMIN). */
    public static final int SIGRTMIN = 32;
    /** _NSIG: the highest signal number; a sigset_t has exactly this many bits on x86-64. */
    public static final int NSIG = 64;

    private static final String[] NAMES = {null, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE",
        "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
        "TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS"};

    /** What SIG_DFL does with a signal (the "default action" column of signal(7)). */
    public enum Default { TERMINATE, COREDUMP, STOP, IGNORE, CONTINUE }

    /** valid_signal() for a signal that is actually sent: 1.._NSIG. */
    public static boolean valid(int sig) {
        return sig >= 1 && sig <= NSIG;
    }

    /** sigmask(): the bit of a signal in a sigset_t. */
    public static long mask(int sig) {
        return 1L << (sig - 1);
    }

    /** SIG_KERNEL_ONLY_MASK: SIGKILL and SIGSTOP cannot be caught, blocked or ignored. */
    public static boolean kernelOnly(int sig) {
        return sig == SIGKILL || sig == SIGSTOP;
    }

    /** SIG_KERNEL_STOP_MASK. */
    public static boolean kernelStop(int sig) {
        return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
    }

    public static final long STOP_MASK = mask(SIGSTOP) | mask(SIGTSTP) | mask(SIGTTIN) | mask(SIGTTOU);

    /** SIG_KERNEL_COREDUMP_MASK. */
    public static boolean kernelCoredump(int sig) {
        return switch (sig) {
            case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGSEGV, SIGBUS, SIGSYS, SIGXCPU, SIGXFSZ -> true;
            default -> false;
        };
    }

    /** SIG_KERNEL_IGNORE_MASK: SIG_DFL means "ignore" (SIGCONT after it has continued the group). */
    public static boolean kernelIgnore(int sig) {
        return sig == SIGCONT || sig == SIGCHLD || sig == SIGWINCH || sig == SIGURG;
    }

    public static Default defaultAction(int sig) {
        if (sig == SIGCONT) return Default.CONTINUE;
        if (kernelIgnore(sig)) return Default.IGNORE;
        if (kernelStop(sig)) return Default.STOP;
        if (kernelCoredump(sig)) return Default.COREDUMP;
        return Default.TERMINATE;
    }

    /** The name kill -l prints: "TERM", "RTMIN+3", "RTMAX". */
    public static String name(int sig) {
        if (sig >= 1 && sig < NAMES.length) return NAMES[sig];
        if (sig == NSIG) return "RTMAX";
        if (sig > SIGRTMIN && sig < NSIG) return "RTMIN+" + (sig - SIGRTMIN);
        if (sig == SIGRTMIN) return "RTMIN";
        return Integer.toString(sig);
    }

    /**
     * A signal as kill(1) accepts it: a number 0.._NSIG, or a name with or without "SIG", in any
     * case, including RTMIN+n and RTMAX-n. EINVAL for anything else.
     */
    public static int parse(String s) {
        String u = s.toUpperCase(Locale.ROOT);
        if (!u.isEmpty() && u.chars().allMatch(Character::isDigit)) {
            if (u.length() > 3) throw Errno.EINVAL.error("signal out of range: " + s);
            int n = Integer.parseInt(u);
            if (n > NSIG) throw Errno.EINVAL.error("signal out of range (0.." + NSIG + "): " + s);
            return n;
        }
        if (u.startsWith("SIG")) u = u.substring(3);
        for (int i = 1; i < NAMES.length; i++) if (NAMES[i].equals(u)) return i;
        if (u.equals("POLL")) return SIGIO;
        if (u.equals("IOT")) return SIGABRT;
        if (u.equals("CLD")) return SIGCHLD;
        if (u.equals("RTMIN")) return SIGRTMIN;
        if (u.equals("RTMAX")) return NSIG;
        try {
            if (u.startsWith("RTMIN+")) {
                int n = SIGRTMIN + Integer.parseInt(u.substring(6));
                if (n > SIGRTMIN && n <= NSIG) return n;
            } else if (u.startsWith("RTMAX-")) {
                int n = NSIG - Integer.parseInt(u.substring(6));
                if (n >= SIGRTMIN && n < NSIG) return n;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw Errno.EINVAL.error("unknown signal: " + s);
    }

    /** A sigset_t as /proc/<pid>/status prints it: 16 hex digits (render_sigset_t). */
    public static String hex(long set) {
        String h = Long.toHexString(set);
        return "0".repeat(16 - h.length()) + h;
    }
}
