package ksim.ctl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ksim.kernel.Errno;

/**
 * The words after a command's name: options (--name VALUE, --name=VALUE, or a bare --flag)
 * and positional words. "--" ends the options. Each command declares which options take a
 * value and which are flags; anything else is EINVAL. Getters convert and range-check, also
 * with EINVAL, so a malformed command never reaches the kernel.
 */
final class Args {
    private final String command;
    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> positional = new ArrayList<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses words against the options the command knows. valued: options with a value;
     * flagNames: options without. A word like "-9" is positional (kill parses its own).
     */
    static Args parse(String command, List<String> words, Set<String> valued, Set<String> flagNames) {
        Args a = new Args(command);
        boolean options = true;
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (options && w.equals("--")) {
                options = false;
                continue;
            }
            if (options && w.startsWith("--")) {
                String name = w.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (valued.contains(name)) {
                    if (value == null) {
                        if (i + 1 >= words.size()) throw Errno.EINVAL.error(command + ": --" + name + " needs a value");
                        value = words.get(++i);
                    }
                    a.values.put(name, value);
                } else if (flagNames.contains(name) && value == null) {
                    a.flags.add(name);
                } else {
                    throw Errno.EINVAL.error(command + ": unknown option --" + name);
                }
                continue;
            }
            a.positional.add(w);
        }
        return a;
    }

    String command() { return command; }
    List<String> positional() { return positional; }
    boolean flag(String name) { return flags.contains(name); }
    boolean has(String name) { return values.containsKey(name); }
    String value(String name, String dflt) { return values.getOrDefault(name, dflt); }

    String pos(int i, String what) {
        if (i >= positional.size()) throw Errno.EINVAL.error(command + ": missing " + what);
        return positional.get(i);
    }

    /** No more than n positional words. */
    Args atMost(int n) {
        if (positional.size() > n) throw Errno.EINVAL.error(command + ": unexpected argument '" + positional.get(n) + "'");
        return this;
    }

    int posInt(int i, String what, long min, long max) {
        return toInt(pos(i, what), what, min, max);
    }

    int pid(int i) {
        return posInt(i, "pid", 1, Integer.MAX_VALUE);
    }

    int intValue(String name, int dflt, long min, long max) {
        String v = values.get(name);
        return v == null ? dflt : toInt(v, "--" + name, min, max);
    }

    int toInt(String s, String what, long min, long max) {
        long v;
        try {
            v = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw Errno.EINVAL.error(command + ": " + what + " must be a number, not '" + s + "'");
        }
        if (v < min || v > max) throw Errno.EINVAL.error(command + ": " + what + " must be " + min + ".." + max + ", not " + v);
        return (int) v;
    }
}
