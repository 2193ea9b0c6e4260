package ksim.mm;

import java.util.List;

/**
 * The memory image of a program once execve() and the dynamic loader are done with it: the
 * executable, the shared libraries in load order (the loader first, or none for a static
 * binary), data files it maps (a locale archive), the heap, the stack, other anonymous
 * memory (malloc arenas), and how much of it is resident: anonymous, file-backed and shmem
 * (a shared anonymous segment of that size). Sizes in KiB (multiples of 4). seedOffset varies
 * the image between programs.
 */
public record Program(ElfObject exe, List<ElfObject> libs, List<DataFile> files, int heapKb, int stackKb,
                      int anonKb, int rssAnonKb, int rssFileKb, int rssShmemKb, long seedOffset) {

    /** A file the program maps read-only and private, as glibc maps the locale archive. */
    public record DataFile(String path, int kb) {
        public DataFile {
            if (kb <= 0 || kb % 4 != 0) throw new IllegalArgumentException("sizes are whole 4 KiB pages: " + kb);
        }
    }

    /** The locale archive of a system with locales installed. */
    static final String LOCALE_ARCHIVE = "/usr/lib/locale/locale-archive";
    static final int LOCALE_ARCHIVE_KB = 3052;
    /** Loaded programs keep about 4/5 of their file mappings resident at most. */
    private static final int FILE_RESIDENCY_PERCENT = 80;

    public Program {
        for (int kb : new int[] {heapKb, stackKb, anonKb, rssAnonKb, rssFileKb, rssShmemKb}) {
            if (kb < 0 || kb % 4 != 0) throw new IllegalArgumentException("sizes are whole 4 KiB pages: " + kb);
        }
        libs = List.copyOf(libs);
        files = List.copyOf(files);
    }

    /**
     * An image described by sizes only: an executable of textKb and dataKb, libraries covering
     * libKb (none if 0), a heap, a stack and otherKb of anonymous memory; a locale archive is
     * added if the file-backed resident size needs the room.
     */
    public Program(String path, int textKb, int dataKb, int libKb, int heapKb, int stackKb,
                   int otherKb, int rssAnonKb, int rssFileKb, int rssShmemKb, long seedOffset) {
        this(ElfObject.executable(path, textKb, dataKb), libKb == 0 ? List.of() : Libraries.covering(libKb),
                roomFor(ElfObject.executable(path, textKb, dataKb), libKb == 0 ? List.of() : Libraries.covering(libKb), rssFileKb),
                heapKb, stackKb, otherKb, rssAnonKb, rssFileKb, rssShmemKb, seedOffset);
    }

    /**
     * A C program linked against glibc (and the libraries its name is known to need), the
     * shape of most daemons and tools: its heap twice its anonymous pages, a 132 KiB stack and
     * a megabyte of other anonymous memory.
     */
    public static Program small(String path, int rssAnonKb, int rssFileKb, long seedOffset) {
        ElfObject exe = ElfObject.executable(path, 40, 16);
        List<ElfObject> libs = Libraries.neededBy(path);
        int heap = Math.max(132, ElfObject.roundUp(rssAnonKb * 2));
        return new Program(exe, libs, roomFor(exe, libs, ElfObject.roundUp(rssFileKb)), heap, 132, 1024,
                ElfObject.roundUp(rssAnonKb), ElfObject.roundUp(rssFileKb), 0, seedOffset);
    }

    /** The locale archive, grown as needed, when exe and libraries alone are too small for rssFileKb. */
    private static List<DataFile> roomFor(ElfObject exe, List<ElfObject> libs, int rssFileKb) {
        int room = exe.cleanFileKb() + Specials.VDSO_KB;
        for (ElfObject l : libs) room += l.cleanFileKb();
        int needed = rssFileKb * 100 / FILE_RESIDENCY_PERCENT;
        if (needed <= room) return List.of();
        return List.of(new DataFile(LOCALE_ARCHIVE, Math.max(LOCALE_ARCHIVE_KB, ElfObject.roundUp(needed - room))));
    }

    public String path() { return exe.path(); }
    public int textKb() { return exe.textKb(); }
    /** The executable's writable data and bss. */
    public int dataKb() { return exe.dataKb() + exe.bssKb(); }
    /** Everything the shared libraries map. */
    public int libKb() {
        int kb = 0;
        for (ElfObject l : libs) kb += l.totalKb();
        return kb;
    }
    public int otherKb() { return anonKb; }

    /** Every mapping of the image but the vDSO and vvar pages. */
    public int mappedKb() {
        int kb = exe.totalKb() + libKb() + heapKb + stackKb + anonKb + rssShmemKb;
        for (DataFile f : files) kb += f.kb();
        return kb;
    }

    /** The same image with other libraries (the loader first), e.g. for a program the catalog does not know. */
    public Program withLibs(List<ElfObject> newLibs) {
        return new Program(exe, newLibs, roomFor(exe, newLibs, rssFileKb), heapKb, stackKb, anonKb, rssAnonKb, rssFileKb,
                rssShmemKb, seedOffset);
    }
}
