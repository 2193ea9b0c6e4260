package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ksim.kernel.Cred;
import ksim.kernel.Errno;
import ksim.kernel.Signum;
import ksim.kernel.TaskState;

/** Converters shared by several commands; each refuses bad input with EINVAL. */
final class Parse {
    private Parse() {}

    /** "U" or "U:G": uid and gid, all four of each equal. */
    static Cred cred(String s) {
        String[] p = s.split(":", -1);
        if (p.length > 2) throw Errno.EINVAL.error("--uid is U or U:G, not " + s);
        int uid = id(p[0]);
        int gid = p.length == 2 ? id(p[1]) : uid;
        return Cred.of(uid, gid);
    }

    private static int id(String s) {
        try {
            long v = Long.parseLong(s);
            if (v < 0 || v > Integer.MAX_VALUE) throw Errno.EINVAL.error("ids are 0.." + Integer.MAX_VALUE + ": " + s);
            return (int) v;
        } catch (NumberFormatException e) {
            throw Errno.EINVAL.error("not a numeric id: " + s);
        }
    }

    /** A state letter as ps prints it. */
    static TaskState state(String s) {
        if (s.length() == 1) {
            for (TaskState t : TaskState.values()) if (t.letter == s.charAt(0)) return t;
        }
        throw Errno.EINVAL.error("unknown state '" + s + "' (R S D T t Z X I P)");
    }

    /** The wchan a sleep gets when none is named. */
    static String defaultWchan(TaskState s) {
        return switch (s) {
            case INTERRUPTIBLE -> "hrtimer_nanosleep";
            case UNINTERRUPTIBLE -> "folio_wait_bit_common";
            case IDLE -> "worker_thread";
            case PARKED -> "kthread_parkme";
            default -> "";
        };
    }

    /** A signal by number or name (Signum.parse). */
    static int signal(String s) {
        return Signum.parse(s);
    }

    /** A set of signals: "none", or names/numbers separated by commas. */
    static long sigset(String s) {
        if (s.equals("none") || s.isEmpty()) return 0;
        long set = 0;
        for (String part : s.split(",")) {
            int sig = Signum.parse(part);
            if (sig == 0) throw Errno.EINVAL.error("signal 0 is not in sets");
            set |= Signum.mask(sig);
        }
        return set;
    }

    /** A list of strings given as one word (--argv "a b 'c d'"), split with the protocol's quoting. */
    static List<String> list(String s) {
        return new ArrayList<>(Words.split(s));
    }

    static boolean onOff(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "on", "1", "yes" -> true;
            case "off", "0", "no" -> false;
            default -> throw Errno.EINVAL.error("expected on or off, not " + s);
        };
    }
}
