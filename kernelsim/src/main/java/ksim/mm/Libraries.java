package ksim.mm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared libraries of a Debian 12 system, with the segment sizes their ELF headers give,
 * and the libraries well-known programs need (what ldd prints for them), in load order. The
 * dynamic loader always comes first, libc last.
 */
public final class Libraries {
    private Libraries() {}

    static final String LIBDIR = "/usr/lib/x86_64-linux-gnu/";

    public static final ElfObject LD_LINUX = lib("ld-linux-x86-64.so.2", 4, 152, 40, 8, 8, 0);
    public static final ElfObject LIBC = lib("libc.so.6", 152, 1368, 332, 16, 8, 52);

    private static final Map<String, ElfObject> CATALOG = new LinkedHashMap<>();

    static {
        add(lib("libm.so.6", 64, 464, 360, 4, 4, 0));
        add(lib("libtinfo.so.6.4", 60, 68, 56, 16, 4, 0));
        add(lib("libcrypto.so.3", 788, 2548, 888, 392, 12, 12));
        add(lib("libssl.so.3", 124, 372, 124, 40, 16, 0));
        add(lib("libz.so.1.2.13", 12, 76, 28, 4, 4, 0));
        add(lib("libselinux.so.1", 28, 108, 32, 4, 4, 8));
        add(lib("libpcre2-8.so.0.11.2", 8, 428, 172, 4, 4, 0));
        add(lib("libsystemd.so.0.35.0", 88, 508, 184, 44, 4, 4));
        add(lib("libcap.so.2.66", 12, 20, 8, 4, 4, 0));
        add(lib("libgcrypt.so.20.4.1", 60, 936, 272, 20, 16, 4));
        add(lib("liblzma.so.5.4.1", 16, 116, 48, 4, 4, 0));
        add(lib("libzstd.so.1.5.4", 20, 644, 80, 4, 4, 0));
        add(lib("libaudit.so.1.0.0", 12, 28, 84, 4, 4, 64));
        add(lib("libpam.so.0.85.1", 12, 36, 16, 4, 4, 0));
        add(lib("libcrypt.so.1.1.0", 8, 88, 104, 4, 4, 32));
        add(lib("libgpg-error.so.0.33.1", 20, 88, 44, 4, 4, 0));
        add(lib("liblz4.so.1.9.4", 12, 120, 12, 4, 4, 0));
        add(lib("libmount.so.1.1.0", 48, 256, 80, 8, 4, 0));
        add(lib("libblkid.so.1.1.0", 36, 216, 68, 24, 4, 0));
        add(lib("libseccomp.so.2.5.4", 8, 56, 56, 4, 4, 0));
        add(lib("libacl.so.1.1.2301", 8, 20, 8, 4, 4, 0));
        add(lib("libkmod.so.2.4.0", 16, 68, 24, 4, 4, 0));
        add(lib("libcap-ng.so.0.0.0", 8, 12, 4, 4, 4, 0));
        add(lib("libgssapi_krb5.so.2.2", 48, 216, 52, 8, 8, 0));
        add(lib("libkrb5.so.3.3", 140, 380, 288, 52, 12, 0));
        add(lib("libk5crypto.so.3.1", 16, 104, 52, 4, 4, 0));
        add(lib("libcom_err.so.2.1", 8, 4, 4, 4, 4, 0));
        add(lib("libkrb5support.so.0.1", 12, 24, 12, 4, 4, 0));
        add(lib("libkeyutils.so.1.10", 8, 8, 4, 4, 4, 0));
        add(lib("libresolv.so.2", 12, 32, 8, 4, 4, 8));
        add(lib("libudev.so.1.7.5", 20, 112, 44, 4, 4, 0));
        add(lib("libapparmor.so.1.8.4", 12, 36, 28, 4, 4, 0));
        add(lib("libip4tc.so.2.0.0", 8, 16, 8, 4, 4, 0));
        add(lib("libcryptsetup.so.12.9.0", 32, 344, 124, 8, 8, 0));
        add(new ElfObject(LIBDIR + "systemd/libsystemd-shared-252.so", 428, 1948, 776, 116, 4, 4));
        add(new ElfObject(LIBDIR + "systemd/libsystemd-core-252.so", 288, 916, 416, 400, 4, 0));
    }

    /** DT_NEEDED closures by program basename, between the loader and libc. */
    private static final Map<String, List<String>> NEEDED = Map.of(
            "systemd", List.of("libsystemd-core-252.so", "libsystemd-shared-252.so", "libseccomp.so.2.5.4",
                    "libselinux.so.1", "libmount.so.1.1.0", "libaudit.so.1.0.0", "libkmod.so.2.4.0", "libapparmor.so.1.8.4",
                    "libcap.so.2.66", "libacl.so.1.1.2301", "libcrypt.so.1.1.0", "libgcrypt.so.20.4.1", "liblz4.so.1.9.4",
                    "liblzma.so.5.4.1", "libzstd.so.1.5.4", "libblkid.so.1.1.0", "libcap-ng.so.0.0.0",
                    "libpcre2-8.so.0.11.2", "libgpg-error.so.0.33.1", "libip4tc.so.2.0.0"),
            "systemd-journald", List.of("libsystemd-shared-252.so", "libacl.so.1.1.2301", "libblkid.so.1.1.0",
                    "libcap.so.2.66", "libcrypt.so.1.1.0", "libgcrypt.so.20.4.1", "libkmod.so.2.4.0", "liblz4.so.1.9.4",
                    "libmount.so.1.1.0", "libpam.so.0.85.1", "libseccomp.so.2.5.4", "libselinux.so.1", "libzstd.so.1.5.4",
                    "liblzma.so.5.4.1", "libaudit.so.1.0.0", "libpcre2-8.so.0.11.2", "libgpg-error.so.0.33.1",
                    "libcap-ng.so.0.0.0"),
            "cron", List.of("libpam.so.0.85.1", "libselinux.so.1", "libaudit.so.1.0.0", "libcap-ng.so.0.0.0",
                    "libpcre2-8.so.0.11.2"),
            "rsyslogd", List.of("libz.so.1.2.13", "libsystemd.so.0.35.0", "libcap.so.2.66", "libgcrypt.so.20.4.1",
                    "liblzma.so.5.4.1", "libzstd.so.1.5.4", "liblz4.so.1.9.4", "libgpg-error.so.0.33.1"),
            "sshd", List.of("libcrypt.so.1.1.0", "libaudit.so.1.0.0", "libpam.so.0.85.1", "libsystemd.so.0.35.0",
                    "libselinux.so.1", "libgssapi_krb5.so.2.2", "libkrb5.so.3.3", "libcom_err.so.2.1", "libcrypto.so.3",
                    "libz.so.1.2.13", "libcap-ng.so.0.0.0", "libcap.so.2.66", "libgcrypt.so.20.4.1", "liblzma.so.5.4.1",
                    "libzstd.so.1.5.4", "liblz4.so.1.9.4", "libk5crypto.so.3.1", "libkrb5support.so.0.1",
                    "libkeyutils.so.1.10", "libresolv.so.2", "libpcre2-8.so.0.11.2", "libgpg-error.so.0.33.1"),
            "bash", List.of("libtinfo.so.6.4"),
            "nginx", List.of("libcrypt.so.1.1.0", "libpcre2-8.so.0.11.2", "libssl.so.3", "libcrypto.so.3", "libz.so.1.2.13"));

    private static ElfObject lib(String name, int hdr, int text, int rodata, int relro, int data, int bss) {
        return new ElfObject(LIBDIR + name, hdr, text, rodata, relro, data, bss);
    }

    private static void add(ElfObject o) {
        CATALOG.put(o.path().substring(o.path().lastIndexOf('/') + 1), o);
    }

    /** The libraries a program loads, the loader first and libc last. */
    public static List<ElfObject> neededBy(String programPath) {
        String base = programPath.substring(programPath.lastIndexOf('/') + 1);
        List<ElfObject> libs = new ArrayList<>();
        libs.add(LD_LINUX);
        for (String name : NEEDED.getOrDefault(base, List.of())) libs.add(CATALOG.get(name));
        libs.add(LIBC);
        return libs;
    }

    /**
     * Libraries that map at least kb in all: the loader and libc, then catalog entries in
     * order until the sum is reached (for images described only by their size).
     */
    public static List<ElfObject> covering(int kb) {
        List<ElfObject> libs = new ArrayList<>(List.of(LD_LINUX, LIBC));
        int sum = LD_LINUX.totalKb() + LIBC.totalKb();
        for (ElfObject o : CATALOG.values()) {
            if (sum >= kb) break;
            libs.add(libs.size() - 1, o);
            sum += o.totalKb();
        }
        return libs;
    }

    /** A library of the catalog by file name ("libz.so.1.2.13"), or null. */
    public static ElfObject byName(String name) {
        if (name.equals("ld-linux-x86-64.so.2")) return LD_LINUX;
        if (name.equals("libc.so.6")) return LIBC;
        return CATALOG.get(name);
    }
}
