package ksim.ctl;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import ksim.kernel.Errno;

/** The command table: each command's name, usage line, options and handler. */
final class Commands {
    /** One row of the table. */
    record Spec(String name, String usage, Set<String> valued, Set<String> flags, Handler handler) {}

    private final Map<String, Spec> table = new TreeMap<>();

    Commands() {
        ProcessCommands.register(this);
        WaitCommands.register(this);
        SignalCommands.register(this);
        StateCommands.register(this);
        SessionCommands.register(this);
        SystemCommands.register(this);
        SlabCommands.register(this);
        MountCommands.register(this);
    }

    /** Adds a command; valued and flags name its options without the leading "--". */
    void add(String name, String usage, Set<String> valued, Set<String> flags, Handler h) {
        if (table.put(name, new Spec(name, usage, valued, flags, h)) != null) throw new IllegalStateException("duplicate " + name);
    }

    Spec spec(String name) {
        Spec s = table.get(name);
        if (s == null) throw Errno.EINVAL.error("unknown command '" + name + "' (try: help)");
        return s;
    }

    List<String> names() {
        return List.copyOf(table.keySet());
    }
}
