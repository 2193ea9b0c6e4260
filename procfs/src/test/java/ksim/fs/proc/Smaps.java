package ksim.fs.proc;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed smaps (or smaps_rollup) file: its blocks, each a header line, "Key: value" fields in order, and VmFlags. */
final class Smaps {
    record Block(String header, Map<String, Long> fields, List<String> keys, String flags) {
        long kb(String key) {
            Long v = fields.get(key);
            if (v == null) throw new AssertionError(key + " missing in block " + header);
            return v;
        }

        long start() {
            return Long.parseUnsignedLong(header.substring(0, header.indexOf('-')), 16);
        }

        long end() {
            return Long.parseUnsignedLong(header.substring(header.indexOf('-') + 1, header.indexOf(' ')), 16);
        }

        String name() {
            return header.length() > TaskMmu.NAME_COLUMN ? header.substring(TaskMmu.NAME_COLUMN) : "";
        }

        boolean hasFlag(String f) {
            return (" " + flags + " ").contains(" " + f + " ");
        }
    }

    private static final java.util.regex.Pattern HEADER = java.util.regex.Pattern.compile("^[0-9a-f]+-[0-9a-f]+ .*");

    static boolean isHeader(String line) {
        return HEADER.matcher(line).matches();
    }

    static List<Block> parse(String text) {
        List<Block> blocks = new ArrayList<>();
        String header = null;
        Map<String, Long> fields = null;
        List<String> keys = null;
        String flags = null;
        for (String line : text.split("\n")) {
            if (isHeader(line)) {
                if (header != null) blocks.add(new Block(header, fields, keys, flags));
                header = line;
                fields = new LinkedHashMap<>();
                keys = new ArrayList<>();
                flags = null;
                continue;
            }
            String key = line.substring(0, line.indexOf(':'));
            keys.add(key);
            String value = line.substring(line.indexOf(':') + 1).strip();
            if (key.equals("VmFlags")) flags = value;
            else fields.put(key, Long.parseLong(value.replace(" kB", "")));
        }
        if (header != null) blocks.add(new Block(header, fields, keys, flags));
        return blocks;
    }

    static long sum(List<Block> blocks, String key) {
        long n = 0;
        for (Block b : blocks) n += b.kb(key);
        return n;
    }
}
