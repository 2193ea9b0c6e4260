package ksim.mm;

import java.nio.charset.StandardCharsets;

/** Address spaces for the mm tests, loaded with fixed seeds. */
final class MmTesting {
    /** Enough to commit anything a test asks for. */
    static final long NO_LIMIT = Long.MAX_VALUE;

    private MmTesting() {}

    static MmStruct load(Program p, long seed) {
        long[] ino = {5000};
        return MmStruct.load(p, "prog\0arg\0".getBytes(StandardCharsets.UTF_8), "A=1\0".getBytes(StandardCharsets.UTF_8),
                seed, () -> ++ino[0]);
    }

    /** A program with a heap and the standard libraries, touched a little. */
    static MmStruct small(long seed) {
        return load(Program.small("/usr/bin/prog", 400, 1200, 1), seed);
    }

    /**
     * The same without the program's own anonymous memory, so that the lowest mapping of the
     * mmap area is a library segment and new anonymous mappings below it stand alone.
     */
    static MmStruct bare(long seed) {
        Program p = Program.small("/usr/bin/prog", 400, 1200, 1);
        return load(new Program(p.exe(), p.libs(), p.files(), p.heapKb(), p.stackKb(), 0, p.rssAnonKb(), p.rssFileKb(), 0, 1), seed);
    }

    static long mmap(MmStruct mm, long addr, long len, int prot, int flags, String path) {
        long[] ino = {9000};
        return Mmap.mmap(mm, addr, len, prot, flags, path, 0, () -> ++ino[0], NO_LIMIT);
    }

    static long anon(MmStruct mm, long len) {
        return mmap(mm, 0, len, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, null);
    }

    /** The sum of the VMAs' sizes, in pages. */
    static long vmaPages(MmStruct mm) {
        long n = 0;
        for (Vma v : mm.vmas()) n += v.pages();
        return n;
    }
}
