package ksim.ctl;

import java.util.ArrayList;
import java.util.List;
import ksim.kernel.Errno;

/**
 * The quoting of the control protocol, shell-like: words are separated by blanks; '...'
 * keeps everything literally; "..." keeps blanks and understands \" \\ \n \t \xHH; a bare
 * backslash escapes the next character. Answers use the same quoting, so an answer can be
 * split with the same rules as a request.
 */
public final class Words {
    private Words() {}

    /** Splits a line into words; EINVAL for an unterminated quote or a dangling backslash. */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        int n = line.length();
        for (int i = 0; i < n; i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t') {
                if (inWord) {
                    out.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
                continue;
            }
            inWord = true;
            if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw Errno.EINVAL.error("malformed line: unterminated ' quote");
                w.append(line, i + 1, end);
                i = end;
            } else if (c == '"') {
                i = doubleQuoted(line, i + 1, w);
            } else if (c == '\\') {
                if (i + 1 >= n) throw Errno.EINVAL.error("malformed line: backslash at the end");
                w.append(line.charAt(++i));
            } else {
                w.append(c);
            }
        }
        if (inWord) out.add(w.toString());
        return out;
    }

    /** Reads a "..." body starting at from; returns the index of the closing quote. */
    private static int doubleQuoted(String line, int from, StringBuilder w) {
        int n = line.length();
        for (int i = from; i < n; i++) {
            char c = line.charAt(i);
            if (c == '"') return i;
            if (c != '\\') {
                w.append(c);
                continue;
            }
            if (++i >= n) break;
            char e = line.charAt(i);
            switch (e) {
                case 'n' -> w.append('\n');
                case 't' -> w.append('\t');
                case 'r' -> w.append('\r');
                case '0' -> w.append('\0');
                case 'x' -> {
                    if (i + 2 >= n) throw Errno.EINVAL.error("malformed line: \\x needs two hex digits");
                    try {
                        w.append((char) Integer.parseInt(line.substring(i + 1, i + 3), 16));
                    } catch (NumberFormatException ex) {
                        throw Errno.EINVAL.error("malformed line: \\x needs two hex digits");
                    }
                    i += 2;
                }
                default -> w.append(e);
            }
        }
        throw Errno.EINVAL.error("malformed line: unterminated \" quote");
    }

    /** A word as it must be written so that split() gives it back: bare when it can be. */
    public static String quote(String s) {
        return quote(s, "");
    }

    /** Like quote(s), but also quotes a word holding any of the characters in special. */
    public static String quote(String s, String special) {
        if (!s.isEmpty() && isBare(s, special)) return s;
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }

    private static boolean isBare(String s, String special) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '\\' || special.indexOf(c) >= 0) return false;
        }
        return true;
    }

    /** Joins words into a line that splits back into the same words. */
    public static String join(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (b.length() > 0) b.append(' ');
            b.append(quote(w));
        }
        return b.toString();
    }
}
