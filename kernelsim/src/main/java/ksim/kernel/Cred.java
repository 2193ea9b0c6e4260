package ksim.kernel;

import java.util.List;

/** struct cred (include/linux/cred.h): the ids a task acts with. Immutable, as in Linux. */
public record Cred(int uid, int euid, int suid, int fsuid,
                   int gid, int egid, int sgid, int fsgid,
                   List<Integer> groups) {

    public Cred {
        groups = List.copyOf(groups);
    }

    public static final Cred ROOT = of(0, 0);

    /** All four uids equal and all four gids equal, no supplementary groups. */
    public static Cred of(int uid, int gid) {
        return new Cred(uid, uid, uid, uid, gid, gid, gid, gid, List.of());
    }

    public Cred withGroups(List<Integer> groups) {
        return new Cred(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups);
    }
}
