package ksim.ctl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads '\n'-terminated lines (a trailing '\r' is dropped) from a stream, bounded: a line
 * longer than the limit is skipped to its end and reported as too long instead of filling
 * memory. Knows whether more input is already buffered, so a server can answer a burst of
 * pipelined commands with one write.
 */
public final class LineReader {
    /** The longest request line a server accepts. */
    public static final int MAX_LINE = 1 << 20;
    /** What readLine returns for a line that was longer than MAX_LINE. */
    public static final String TOO_LONG = new String("\0too long");

    private final InputStream in;
    private final int max;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int end;
    private byte[] line = new byte[256];
    private int len;

    /** Lines of at most max bytes (longer ones are TOO_LONG). */
    public LineReader(InputStream in, int max) {
        this.in = in;
        this.max = max;
    }

    /** True if bytes are waiting in the buffer (the next readLine may not block). */
    public boolean buffered() {
        return pos < end;
    }

    /** The next line without its terminator, TOO_LONG, or null at end of input. */
    public String readLine() throws IOException {
        len = 0;
        boolean tooLong = false;
        while (true) {
            if (pos == end) {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    if (len == 0 && !tooLong) return null;
                    return tooLong ? TOO_LONG : text(); // a last line without '\n'
                }
                pos = 0;
                end = n;
            }
            int nl = -1;
            for (int i = pos; i < end; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int stop = nl < 0 ? end : nl;
            if (!tooLong) {
                if ((long) len + (stop - pos) > max) {
                    tooLong = true;
                } else {
                    append(stop - pos);
                }
            }
            pos = nl < 0 ? end : nl + 1;
            if (nl >= 0) return tooLong ? TOO_LONG : text();
        }
    }

    private void append(int n) {
        if (len + n > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, len + n));
        System.arraycopy(buf, pos, line, len, n);
        len += n;
    }

    private String text() {
        int n = len;
        if (n > 0 && line[n - 1] == '\r') n--;
        return new String(line, 0, n, StandardCharsets.UTF_8);
    }
}
