package ksim.ctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ksim.kernel.Errno;

/**
 * One answer of the control protocol, always one line. Success: "ok" then key=value fields,
 * then (for listings) one word per row, its cells separated by ':'. Failure: "err ERRNO
 * message". In JSON: {"ok":true, fields..., "rows":[{...}]} or
 * {"ok":false,"errno":"ESRCH","code":3,"message":"..."}.
 */
public final class Reply {
    private final Errno errno;
    private final String message;
    private final Map<String, Object> fields = new LinkedHashMap<>();
    private String rowsName;
    private List<String> columns;
    private int textColumns;
    private final List<List<Object>> rows = new ArrayList<>();

    private Reply(Errno errno, String message) {
        this.errno = errno;
        this.message = message;
    }

    public static Reply ok() {
        return new Reply(null, null);
    }

    public static Reply err(Errno errno, String message) {
        return new Reply(errno, message);
    }

    public boolean isOk() {
        return errno == null;
    }

    public Errno errno() {
        return errno;
    }

    /** Adds a field; values are numbers, booleans, strings or lists of those. */
    public Reply put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    public Object get(String key) {
        return fields.get(key);
    }

    /**
     * Declares the listing: what the rows are called in JSON, the name of each cell, and how
     * many of the first cells the text form shows.
     */
    public Reply rows(String name, List<String> columns, int textColumns) {
        this.rowsName = name;
        this.columns = columns;
        this.textColumns = textColumns;
        return this;
    }

    public Reply row(List<Object> cells) {
        rows.add(cells);
        return this;
    }

    public int rowCount() {
        return rows.size();
    }

    public String text() {
        if (errno != null) return "err " + errno.name() + " " + oneLine(message);
        StringBuilder b = new StringBuilder("ok");
        for (var e : fields.entrySet()) b.append(' ').append(e.getKey()).append('=').append(textValue(e.getValue(), ""));
        for (List<Object> r : rows) {
            b.append(' ');
            for (int i = 0; i < Math.min(textColumns, r.size()); i++) {
                if (i > 0) b.append(':');
                b.append(textValue(r.get(i), ":"));
            }
        }
        return b.toString();
    }

    private static String textValue(Object v, String special) {
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder();
            for (Object o : l) {
                if (b.length() > 0) b.append(',');
                b.append(o);
            }
            return b.toString();
        }
        return Words.quote(String.valueOf(v), special + ",");
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replace('\r', ' ');
    }

    public String json() {
        Json j = new Json();
        j.open();
        if (errno != null) {
            j.field("ok", false).field("errno", errno.name()).field("code", errno.value).field("message", oneLine(message));
        } else {
            j.field("ok", true);
            for (var e : fields.entrySet()) j.field(e.getKey(), e.getValue());
            if (rowsName != null) {
                j.key(rowsName).openArray();
                for (List<Object> r : rows) {
                    j.open();
                    for (int i = 0; i < r.size(); i++) j.field(columns.get(i), r.get(i));
                    j.close();
                }
                j.closeArray();
            }
        }
        j.close();
        return j.toString();
    }
}
