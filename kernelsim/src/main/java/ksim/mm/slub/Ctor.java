package ksim.mm.slub;

import ksim.kernel.Errno;

/**
 * A cache's constructor, void (*ctor)(void *): what the simulation keeps of a kernel function
 * is its symbol, its length and its module, which is everything %pS prints of it.
 *
 * @param symbol the function's name (init_once, anon_vma_ctor...)
 * @param size   the function's length in bytes, the 0xSIZE of sym+0x0/0xSIZE
 * @param module the module it lives in, or null when built in
 */
public record Ctor(String symbol, int size, String module) {
    /** The length given to a constructor named without one (a typical small init function). */
    public static final int DEFAULT_SIZE = 0x40;

    public Ctor {
        if (symbol == null || !symbol.matches("[A-Za-z_][A-Za-z0-9_.]*")) throw Errno.EINVAL.error("bad ctor symbol " + symbol);
        if (size <= 0) throw Errno.EINVAL.error("ctor size must be positive");
    }

    /**
     * Parses "sym", "sym/0xSIZE" or "sym+0x0/0xSIZE [module]" (what the ctor file shows), so a
     * ctor read from a real /sys/kernel/slab can be given back.
     */
    public static Ctor parse(String text) {
        String t = text.strip();
        String module = null;
        int sp = t.indexOf(' ');
        if (sp > 0) {
            String m = t.substring(sp + 1).strip();
            if (!m.matches("\\[[A-Za-z0-9_]+\\]")) throw Errno.EINVAL.error("bad ctor module " + m);
            module = m.substring(1, m.length() - 1);
            t = t.substring(0, sp);
        }
        int size = DEFAULT_SIZE;
        int slash = t.indexOf('/');
        if (slash > 0) {
            String sz = t.substring(slash + 1);
            try {
                size = sz.startsWith("0x") ? Integer.parseInt(sz.substring(2), 16) : Integer.parseInt(sz);
            } catch (NumberFormatException e) {
                throw Errno.EINVAL.error("bad ctor size " + sz);
            }
            t = t.substring(0, slash);
        }
        int plus = t.indexOf('+');
        if (plus > 0) t = t.substring(0, plus);
        return new Ctor(t, size, module);
    }

    /** %pS of the function's address: "sym+0x0/0xSIZE", then " [module]" for a module symbol. */
    @Override
    public String toString() {
        return symbol + "+0x0/0x" + Integer.toHexString(size) + (module == null ? "" : " [" + module + "]");
    }
}
