package ksim.mm;

/**
 * The memory image of an executable: what its ELF segments, shared libraries, heap and
 * stack amount to once loaded, and how much of it is resident. Sizes in KiB (multiples of 4).
 * seedOffset varies the randomised base addresses between programs.
 */
public record Program(String path, int textKb, int dataKb, int libKb, int heapKb, int stackKb,
                      int otherKb, int rssAnonKb, int rssFileKb, int rssShmemKb, long seedOffset) {

    public Program {
        for (int kb : new int[] {textKb, dataKb, libKb, heapKb, stackKb, otherKb, rssAnonKb, rssFileKb, rssShmemKb}) {
            if (kb < 0 || kb % 4 != 0) throw new IllegalArgumentException("sizes are whole 4 KiB pages: " + kb);
        }
    }

    /** A small C program linked against glibc: the shape of most daemons and tools. */
    public static Program small(String path, int rssAnonKb, int rssFileKb, long seedOffset) {
        return new Program(path, 40, 16, 2048, 132, 132, 8, rssAnonKb, rssFileKb, 0, seedOffset);
    }
}
