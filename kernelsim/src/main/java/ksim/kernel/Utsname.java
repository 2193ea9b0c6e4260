package ksim.kernel;

/** struct new_utsname (include/uapi/linux/utsname.h): what uname(2) and /proc/version tell. */
public record Utsname(String sysname, String nodename, String release, String version,
                      String machine, String domainname) {

    /** __NEW_UTS_LEN: hostname and domainname hold at most 64 bytes. */
    public static final int NEW_UTS_LEN = 64;

    public Utsname withNodename(String name) {
        return new Utsname(sysname, name, release, version, machine, domainname);
    }
}
