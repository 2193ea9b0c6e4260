package ksim.kernel;

/** cpumask printing (lib/bitmap-str.c): "%*pb" hex masks in 32-bit groups and "%*pbl" lists. */
public final class CpuMask {
    private CpuMask() {}

    /** The mask of CPUs 0..n-1 in hex, comma-separated 32-bit words, as "%*pb" prints it. */
    public static String mask(int n) {
        int words = (n + 31) / 32;
        StringBuilder sb = new StringBuilder();
        for (int w = words - 1; w >= 0; w--) {
            int bits = Math.min(32, n - w * 32);
            long word = bits == 32 ? 0xffffffffL : (1L << bits) - 1;
            String hex = Long.toHexString(word);
            if (w == words - 1) sb.append(hex);
            else sb.append(',').append("0".repeat(8 - hex.length())).append(hex);
        }
        return sb.toString();
    }

    /** The list of CPUs 0..n-1, as "%*pbl" prints it: "0" or "0-3". */
    public static String list(int n) {
        return n == 1 ? "0" : "0-" + (n - 1);
    }

    /** The mask of the one CPU cpu among n, as "%*pb" prints it. */
    public static String single(int cpu, int n) {
        int words = (n + 31) / 32;
        StringBuilder sb = new StringBuilder();
        for (int w = words - 1; w >= 0; w--) {
            long word = cpu / 32 == w ? 1L << (cpu % 32) : 0;
            String hex = Long.toHexString(word);
            if (w == words - 1) sb.append(hex);
            else sb.append(',').append("0".repeat(8 - hex.length())).append(hex);
        }
        return sb.toString();
    }
}
