package ksim.fs.proc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A growable byte buffer with the seq_file helpers the show functions use
 * (seq_puts, seq_put_decimal_ull, seq_printf). Bytes, not chars: comm may hold any byte.
 */
final class Text {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

    Text put(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        return this;
    }

    Text put(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    Text put(char c) {
        out.write(c);
        return this;
    }

    Text put(long v) {
        return put(Long.toString(v));
    }

    /** A space, then the number: the common separator of stat-like files. */
    Text sp(long v) {
        return put(' ').put(v);
    }

    Text sp(String s) {
        return put(' ').put(s);
    }

    /** An unsigned 64-bit value, as %llu prints it. */
    Text spUnsigned(long v) {
        return put(' ').put(Long.toUnsignedString(v));
    }

    /** "Key:\tvalue\n", the status-file line. */
    Text kv(String key, String value) {
        return put(key).put(":\t").put(value).put('\n');
    }

    Text kv(String key, long value) {
        return kv(key, Long.toString(value));
    }

    /** A value right-aligned in width columns, as %Nlu. */
    Text padded(long v, int width) {
        String s = Long.toString(v);
        for (int i = s.length(); i < width; i++) out.write(' ');
        return put(s);
    }

    Text printf(String format, Object... args) {
        return put(String.format(format, args));
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
