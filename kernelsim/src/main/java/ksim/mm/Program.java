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

    /**
     * A C program linked against glibc, the shape of most daemons and tools: its libraries
     * map about twice what they keep resident, its heap twice its anonymous pages.
     */
    public static Program small(String path, int rssAnonKb, int rssFileKb, long seedOffset) {
        int lib = Math.max(2048, roundUp(rssFileKb * 2));
        int heap = Math.max(132, roundUp(rssAnonKb * 2));
        return new Program(path, 40, 16, lib, heap, 132, 1024, rssAnonKb, rssFileKb, 0, seedOffset);
    }

    private static int roundUp(int kb) {
        return (kb + 3) / 4 * 4;
    }
}
