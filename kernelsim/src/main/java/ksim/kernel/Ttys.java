package ksim.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * The terminals of the machine by name (drivers/tty): virtual consoles tty1..tty63 (major 4)
 * and pseudo-terminal slaves pts/N (major 136), made on first use. Also the hang-up a session
 * leader's exit causes (disassociate_ctty).
 */
public final class Ttys {
    /** MAX_NR_CONSOLES. */
    private static final int MAX_CONSOLES = 63;
    /** NR_UNIX98_PTY_MAX's default. */
    private static final int MAX_PTYS = 1 << 20;
    private final Map<String, Tty> byName = new HashMap<>();

    /** The terminal called name ("tty1", "pts/3"); ENOENT if there is no such device. */
    public Tty lookup(String name) {
        Tty t = byName.get(name);
        if (t != null) return t;
        t = make(name);
        byName.put(name, t);
        return t;
    }

    private static Tty make(String name) {
        try {
            if (name.startsWith("pts/")) {
                int n = Integer.parseInt(name.substring(4));
                if (n >= 0 && n < MAX_PTYS && name.equals("pts/" + n)) return Tty.pts(n);
            } else if (name.startsWith("tty")) {
                int n = Integer.parseInt(name.substring(3));
                if (n >= 1 && n <= MAX_CONSOLES && name.equals("tty" + n)) return new Tty(4, n, name);
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw Errno.ENOENT.error("no terminal " + name + " (ttyN with N 1.." + MAX_CONSOLES + ", or pts/N)");
    }

    /**
     * disassociate_ctty(on_exit): the session loses its terminal, and the foreground process
     * group hears it hang up (SIGHUP; a virtual console's hangup also sends SIGCONT).
     */
    void disassociate(Kernel k, Task leader) {
        SignalStruct sig = leader.signal;
        Tty tty = sig.tty;
        if (tty == null) return;
        int fg = tty.foregroundPgrp();
        int session = sig.session;
        tty.setForegroundPgrp(0);
        for (Task p : k.pidNs.leaders()) if (p.signal.session == session && p.signal.tty == tty) p.signal.tty = null;
        if (fg > 0) {
            k.signals.killPgrp(fg, Signum.SIGHUP);
            if (tty.major() != 136) k.signals.killPgrp(fg, Signum.SIGCONT);
        }
    }
}
