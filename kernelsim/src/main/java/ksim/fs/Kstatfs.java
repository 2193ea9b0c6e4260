package ksim.fs;

/** struct kstatfs: what statfs(2) reports of a mounted filesystem. */
public record Kstatfs(long bsize, long blocks, long bfree, long bavail, long files, long ffree, int namelen) {
    /** What a synthetic filesystem reports: nothing allocated, nothing free. */
    public static final Kstatfs EMPTY = new Kstatfs(4096, 0, 0, 0, 0, 0, Namei.NAME_MAX);
}
