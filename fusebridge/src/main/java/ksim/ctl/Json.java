package ksim.ctl;

import java.util.List;

/** A minimal JSON writer for the control protocol's answers (objects, arrays, scalars). */
final class Json {
    private final StringBuilder b = new StringBuilder();
    /** Whether the next element needs a comma before it. */
    private boolean comma;

    Json open() {
        sep();
        b.append('{');
        comma = false;
        return this;
    }

    Json close() {
        b.append('}');
        comma = true;
        return this;
    }

    Json openArray() {
        sep();
        b.append('[');
        comma = false;
        return this;
    }

    Json closeArray() {
        b.append(']');
        comma = true;
        return this;
    }

    Json key(String k) {
        sep();
        string(k);
        b.append(':');
        comma = false;
        return this;
    }

    Json field(String k, Object v) {
        key(k);
        value(v);
        return this;
    }

    private void value(Object v) {
        sep();
        if (v == null) {
            b.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else if (v instanceof List<?> l) {
            b.append('[');
            comma = false;
            for (Object o : l) value(o);
            b.append(']');
        } else {
            string(String.valueOf(v));
        }
        comma = true;
    }

    private void sep() {
        if (comma) b.append(',');
        comma = false;
    }

    private void string(String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
