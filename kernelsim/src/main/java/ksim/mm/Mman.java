package ksim.mm;

import java.util.Locale;
import ksim.kernel.Errno;

/**
 * The mmap(2) protection and flag bits (include/uapi/asm-generic/mman-common.h, mman.h) and
 * parsers for their textual forms ("rw-", "private,anonymous"), for callers that take them
 * as words, such as a control command.
 */
public final class Mman {
    private Mman() {}

    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MAP_DENYWRITE = 0x0800;
    public static final int MAP_EXECUTABLE = 0x1000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_NONBLOCK = 0x10000;
    public static final int MAP_STACK = 0x20000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;

    /** The flags do_mmap() knows; anything else is ignored by MAP_PRIVATE/MAP_SHARED and refused by MAP_SHARED_VALIDATE. */
    static final int LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE
            | MAP_EXECUTABLE | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK
            | MAP_FIXED_NOREPLACE;

    /** "r", "rw", "rwx", "r-x", "---" or "none" to PROT_* bits. */
    public static int parseProt(String s) {
        String p = s.toLowerCase(Locale.ROOT);
        if (p.equals("none")) return PROT_NONE;
        int prot = 0;
        for (char c : p.toCharArray()) {
            switch (c) {
                case 'r' -> prot |= PROT_READ;
                case 'w' -> prot |= PROT_WRITE;
                case 'x' -> prot |= PROT_EXEC;
                case '-' -> { }
                default -> throw Errno.EINVAL.error("protection letters are r, w, x and -: " + s);
            }
        }
        return prot;
    }

    /** A comma-separated list of flag names without MAP_: "private,anonymous,fixed". */
    public static int parseFlags(String s) {
        int flags = 0;
        for (String word : s.toLowerCase(Locale.ROOT).split(",")) {
            flags |= switch (word.strip()) {
                case "shared" -> MAP_SHARED;
                case "private" -> MAP_PRIVATE;
                case "shared_validate" -> MAP_SHARED_VALIDATE;
                case "fixed" -> MAP_FIXED;
                case "anonymous", "anon" -> MAP_ANONYMOUS;
                case "growsdown" -> MAP_GROWSDOWN;
                case "locked" -> MAP_LOCKED;
                case "noreserve" -> MAP_NORESERVE;
                case "populate" -> MAP_POPULATE;
                case "stack" -> MAP_STACK;
                case "fixed_noreplace" -> MAP_FIXED_NOREPLACE;
                default -> throw Errno.EINVAL.error("unknown mmap flag: " + word);
            };
        }
        return flags;
    }
}
