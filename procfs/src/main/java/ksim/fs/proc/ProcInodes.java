package ksim.fs.proc;

/**
 * Inode numbers of proc. Linux hands them out dynamically; ksim derives them from what the
 * inode shows, so they are stable and unique: global entries get small numbers, and an entry
 * of a pid directory gets (tgid << 32 | tid << 8 | entry index), where tgid is 0 for the
 * /proc/<pid> view and the owning process for /proc/<pid>/task/<tid>.
 */
final class ProcInodes {
    static final long ROOT = 1;

    private ProcInodes() {}

    static long pidEntry(int tgidOrZero, int tid, int index) {
        return ((long) tgidOrZero << 32) | ((long) tid << 8) | index;
    }
}
