package ksim.kernel;

/**
 * struct sighand_struct (include/linux/sched/signal.h): the action of every signal, shared by
 * the threads of a process (CLONE_SIGHAND) and copied by fork (copy_sighand). An action is
 * SIG_DFL, SIG_IGN or a handler; the model keeps two masks instead of 64 sigactions, plus the
 * SIGCHLD flags that change what a child's exit does (SA_NOCLDSTOP, SA_NOCLDWAIT).
 */
public final class SighandStruct {
    /** sa_handler kinds. */
    public enum Action { DEFAULT, IGNORE, CATCH }

    /** Signals whose action is SIG_IGN. */
    long ignored;
    /** Signals that have a handler. */
    long caught;
    /** SIGCHLD's SA_NOCLDSTOP: no SIGCHLD when a child stops or continues. */
    boolean noCldStop;
    /** SIGCHLD's SA_NOCLDWAIT: children are reaped as they exit, never zombies. */
    boolean noCldWait;

    SighandStruct() {}

    /** copy_sighand(): a private copy with the same actions (fork without CLONE_SIGHAND). */
    SighandStruct copy() {
        SighandStruct c = new SighandStruct();
        c.ignored = ignored;
        c.caught = caught;
        c.noCldStop = noCldStop;
        c.noCldWait = noCldWait;
        return c;
    }

    public long ignored() { return ignored; }
    public long caught() { return caught; }

    public Action action(int sig) {
        long m = Signum.mask(sig);
        if ((caught & m) != 0) return Action.CATCH;
        if ((ignored & m) != 0) return Action.IGNORE;
        return Action.DEFAULT;
    }

    void set(int sig, Action a) {
        long m = Signum.mask(sig);
        ignored &= ~m;
        caught &= ~m;
        if (a == Action.IGNORE) ignored |= m;
        if (a == Action.CATCH) caught |= m;
    }

    /** ignore_signals(): what kthreadd does, and every kernel thread inherits — all SIG_IGN. */
    void ignoreAll() {
        ignored = -1L;
        caught = 0;
    }

    /** flush_signal_handlers(force_default=false) at exec: handlers go back to SIG_DFL, SIG_IGN stays. */
    void flushHandlers() {
        caught = 0;
        noCldStop = false;
        noCldWait = false;
    }
}
