package ksim.mm;

/**
 * The PT_LOAD segments of an ELF file as the loader maps them (fs/binfmt_elf.c elf_map), in
 * KiB: the read-only headers, the text, the read-only data, the part of the data segment
 * that RELRO write-protects after relocation, the writable data, and the bss beyond the
 * file, which becomes anonymous memory. A segment of 0 KiB is not mapped.
 */
public record ElfObject(String path, int hdrKb, int textKb, int rodataKb, int relroKb, int dataKb, int bssKb) {

    public ElfObject {
        if (path == null || !path.startsWith("/")) throw new IllegalArgumentException("an ELF file needs an absolute path");
        for (int kb : new int[] {hdrKb, textKb, rodataKb, relroKb, dataKb, bssKb}) {
            if (kb < 0 || kb % 4 != 0) throw new IllegalArgumentException("segments are whole 4 KiB pages: " + kb);
        }
    }

    /**
     * An executable of textKb of code whose writable data (.data and .bss, what VmData counts
     * of it) is dataKb; headers and read-only data in the proportions of a typical C program.
     */
    public static ElfObject executable(String path, int textKb, int dataKb) {
        int hdr = Math.max(4, roundUp(textKb / 4));
        int rodata = Math.max(4, roundUp(textKb * 2 / 5));
        int data = Math.min(4, dataKb);
        return new ElfObject(path, hdr, textKb, rodata, 4, data, dataKb - data);
    }

    /** What the file itself backs: every segment but the bss. */
    public int fileKb() {
        return hdrKb + textKb + rodataKb + relroKb + dataKb;
    }

    /** The address range the object takes once mapped. */
    public int totalKb() {
        return fileKb() + bssKb;
    }

    /** The segments whose pages stay page-cache pages: headers, text, read-only data. */
    public int cleanFileKb() {
        return hdrKb + textKb + rodataKb;
    }

    static int roundUp(int kb) {
        return (kb + 3) / 4 * 4;
    }
}
