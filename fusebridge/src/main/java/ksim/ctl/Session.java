package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.kernel.KernelError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's conversation (a connection, or a scenario file): each line is a command and
 * gets exactly one answer line. Blank lines and lines starting with '#' are not commands and
 * get no answer. "json on" switches this session's answers to JSON; a "--json" word in a
 * command does it for that command only. Nothing a client sends can throw out of here.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    private final Ctl ctl;
    private final Commands commands;
    private boolean json;

    Session(Ctl ctl, Commands commands) {
        this.ctl = ctl;
        this.commands = commands;
    }

    /** A session of its own on kernel k (for scenario files and tests). */
    public static Session open(Kernel k) {
        return new Session(new Ctl(k), new Commands());
    }

    /** The answer to one line, or null if the line is blank or a comment. */
    public String execute(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) return null;
        boolean jsonNow = json;
        Reply r;
        try {
            List<String> words = new ArrayList<>(Words.split(trimmed));
            int dashdash = words.indexOf("--");
            int end = dashdash < 0 ? words.size() : dashdash;
            for (int i = end - 1; i >= 0; i--) {
                if (words.get(i).equals("--json")) {
                    words.remove(i);
                    jsonNow = true;
                }
            }
            if (words.isEmpty()) throw Errno.EINVAL.error("no command");
            if (words.get(0).equals("json")) {
                json = jsonMode(words);
                jsonNow = json;
                r = Reply.ok().put("json", json ? "on" : "off");
            } else {
                r = run(words);
            }
        } catch (KernelError e) {
            r = Reply.err(e.errno(), stripErrno(e));
        } catch (RuntimeException e) {
            log.error("control command failed unexpectedly: {}", line, e);
            r = Reply.err(Errno.EIO, "internal error: " + e);
        }
        return jsonNow ? r.json() : r.text();
    }

    private Reply run(List<String> words) {
        String name = words.get(0);
        Commands.Spec spec = commands.spec(name);
        Args args = Args.parse(name, words.subList(1, words.size()), spec.valued(), spec.flags());
        return spec.handler().run(ctl, args);
    }

    private static boolean jsonMode(List<String> words) {
        if (words.size() != 2 || !(words.get(1).equals("on") || words.get(1).equals("off"))) {
            throw Errno.EINVAL.error("usage: json on|off");
        }
        return words.get(1).equals("on");
    }

    /** KernelError's message starts with the errno name, which the answer already carries. */
    private static String stripErrno(KernelError e) {
        String m = e.getMessage();
        String prefix = e.errno().name() + ": ";
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
