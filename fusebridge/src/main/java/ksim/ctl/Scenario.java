package ksim.ctl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import ksim.kernel.Kernel;

/**
 * A scenario file: control commands, one per line, replayed in order at boot. Blank lines and
 * '#' comments are skipped. The first command answered with err stops the replay.
 */
public final class Scenario {
    /** A scenario line failed: says which file, which line, what it said and the answer. */
    public static final class Failed extends Exception {
        public Failed(String message) {
            super(message, null, false, false);
        }
    }

    private Scenario() {}

    /** Replays file on k; returns how many commands ran. */
    public static int replay(Kernel k, Path file) throws IOException, Failed {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Session s = Session.open(k);
        int ran = 0;
        for (int i = 0; i < lines.size(); i++) {
            String answer = s.execute(lines.get(i));
            if (answer == null) continue;
            ran++;
            if (!answer.startsWith("ok") && !answer.startsWith("{\"ok\":true")) {
                throw new Failed(file + " line " + (i + 1) + ": " + lines.get(i).strip() + "\n  -> " + answer);
            }
        }
        return ran;
    }
}
