package ksim.mm;

import static ksim.mm.VmFlags.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import ksim.kernel.Param;

/**
 * What load_elf_binary() (fs/binfmt_elf.c), setup_arg_pages() (fs/exec.c) and then the
 * dynamic loader do to a fresh mm: the PIE executable at a randomised base, the heap above
 * it, the stack at the top with the argument and environment strings, the loader, the vDSO
 * and the shared libraries top-down from mmap_base, then the program's data files and
 * anonymous memory. Finally the pages the program has touched by the time it runs are made
 * present, to the resident sizes the Program asks for.
 */
final class ElfLoader {
    private ElfLoader() {}

    /** The auxiliary vector entries a 6.x kernel puts on the stack (AT_* pairs). */
    private static final int AUXV_ENTRIES = 21;
    /** Bytes the executable's text ends before the end of its last page. */
    private static final long TEXT_TAIL = 0x9f7;
    /** Offset of the data segment's p_vaddr in its first page, and how far p_filesz stops short of its last. */
    private static final long DATA_HEAD = 0xd10;
    private static final long DATA_TAIL = 0xe00;

    /** A range the loader remembers for populating it (VMAs may merge, ranges stay valid). */
    private record Range(long start, long end) {
        long pages() {
            return (end - start) >>> Param.PAGE_SHIFT;
        }
    }

    /** Where the segments of one object went. */
    private static final class Placed {
        final List<Range> clean = new ArrayList<>();
        final List<Range> written = new ArrayList<>();
        final List<Range> bss = new ArrayList<>();
    }

    static MmStruct load(Program p, byte[] argv, byte[] envp, long seed, LongSupplier nextIno) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MmStruct mm = new MmStruct();
        mm.argv = argv;
        mm.envp = envp;
        mm.exeFile = p.path();
        Placed placed = new Placed();

        long bias = MmLayout.ELF_ET_DYN_BASE + MmLayout.mmapRnd(rnd);
        long[] exe = mapObject(mm, p.exe(), bias, placed);
        long textStart = exe[0], textEnd = exe[1], dataStart = exe[2], dataEnd = exe[3], imageEnd = exe[4];
        mm.startCode = textStart;
        mm.endCode = textEnd > textStart ? textEnd - TEXT_TAIL : textStart;
        mm.startData = dataEnd > dataStart ? dataStart + DATA_HEAD : dataStart;
        mm.endData = dataEnd > dataStart ? Math.max(mm.startData, dataEnd - DATA_TAIL) : dataStart;

        mm.startBrk = MmLayout.pageAlign(imageEnd) + MmLayout.brkRnd(rnd);
        mm.brk = mm.startBrk + p.heapKb() * 1024L;
        if (p.heapKb() > 0) mm.insert(new Vma(mm.startBrk, mm.brk, Mmap.BRK_FLAGS, 0, null, null));

        long stackTop = MmLayout.TASK_SIZE - MmLayout.stackRnd(rnd);
        Range argPages = setupStack(mm, p, stackTop);

        mm.mmapBase = MmLayout.mmapBase(MmLayout.mmapRnd(rnd));
        List<ElfObject> libs = p.libs();
        if (!libs.isEmpty()) mapObject(mm, libs.get(0), place(mm, libs.get(0).totalKb()), placed);
        long specials = place(mm, Specials.TOTAL_KB);
        Specials.map(mm, specials);
        placed.clean.add(new Range(specials + (Specials.VVAR_KB + Specials.VVAR_VCLOCK_KB) * 1024L, specials + Specials.TOTAL_KB * 1024L));
        for (int i = 1; i < libs.size(); i++) mapObject(mm, libs.get(i), place(mm, libs.get(i).totalKb()), placed);
        for (Program.DataFile f : p.files()) {
            long a = place(mm, f.kb());
            mm.insert(new Vma(a, a + f.kb() * 1024L, VM_READ | VM_MAY_ALL, 0, VmFile.of(f.path()), null));
            placed.clean.add(new Range(a, a + f.kb() * 1024L));
        }
        Range anon = null;
        if (p.anonKb() > 0) {
            long a = place(mm, p.anonKb());
            mm.insert(new Vma(a, a + p.anonKb() * 1024L, VM_READ | VM_WRITE | VM_MAY_ALL | VM_ACCOUNT, 0, null, null));
            anon = new Range(a, a + p.anonKb() * 1024L);
        }
        if (p.rssShmemKb() > 0) {
            long a = place(mm, p.rssShmemKb());
            long end = a + p.rssShmemKb() * 1024L;
            mm.insert(new Vma(a, end, VM_READ | VM_WRITE | VM_SHARED | VM_MAYSHARE | VM_MAY_ALL, 0,
                    VmFile.sharedAnon(nextIno.getAsLong()), null));
            Fault.populate(mm, a, end);
        }

        populateAnon(mm, p.rssAnonKb() / 4, argPages, placed, anon, stackTop);
        populateFile(mm, p.rssFileKb() / 4, placed.clean);
        mm.updateHiwater();
        return mm;
    }

    /** Top-down placement of kb in the mmap area. */
    private static long place(MmStruct mm, int kb) {
        return Mmap.getUnmappedArea(mm, kb * 1024L, 0);
    }

    /**
     * Maps an object's segments from base upward (file offsets follow the addresses), the
     * bss as anonymous memory after them. Returns {text start, text end, first writable
     * segment start, data end, end of everything}.
     */
    private static long[] mapObject(MmStruct mm, ElfObject o, long base, Placed placed) {
        VmFile f = VmFile.of(o.path());
        long a = base;
        a = segment(mm, f, base, a, o.hdrKb(), VM_READ, placed.clean);
        long textStart = a;
        a = segment(mm, f, base, a, o.textKb(), VM_READ | VM_EXEC, placed.clean);
        long textEnd = a;
        a = segment(mm, f, base, a, o.rodataKb(), VM_READ, placed.clean);
        long dataStart = a;
        a = segment(mm, f, base, a, o.relroKb(), VM_READ | VM_ACCOUNT, placed.written);
        a = segment(mm, f, base, a, o.dataKb(), VM_READ | VM_WRITE | VM_ACCOUNT, placed.written);
        long dataEnd = a;
        if (o.bssKb() > 0) {
            long end = a + o.bssKb() * 1024L;
            mm.insert(new Vma(a, end, VM_READ | VM_WRITE | VM_MAY_ALL | VM_ACCOUNT, 0, null, null));
            placed.bss.add(new Range(a, end));
            a = end;
        }
        return new long[] {textStart, textEnd, dataStart, dataEnd, a};
    }

    private static long segment(MmStruct mm, VmFile f, long base, long at, int kb, long prot, List<Range> into) {
        if (kb == 0) return at;
        long end = at + kb * 1024L;
        mm.insert(new Vma(at, end, prot | VM_MAY_ALL, (at - base) >>> Param.PAGE_SHIFT, f, null));
        into.add(new Range(at, end));
        return end;
    }

    /**
     * setup_arg_pages() and create_elf_tables(): at the top of the stack the executable's
     * name and an empty word, below them the environment and argument strings, below those
     * the pointer vectors and the auxiliary vector, 16-byte aligned: start_stack. Returns the
     * pages these occupy.
     */
    private static Range setupStack(MmStruct mm, Program p, long stackTop) {
        byte[] execfn = p.path().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        mm.envEnd = stackTop - 8 - (execfn.length + 1);
        mm.envStart = mm.envEnd - mm.envp.length;
        mm.argEnd = mm.envStart;
        mm.argStart = mm.argEnd - mm.argv.length;
        int vectors = 1 + strings(mm.argv) + 1 + strings(mm.envp) + 1 + 2 * AUXV_ENTRIES;
        // 16 random bytes (AT_RANDOM) and the platform string sit between the strings and the vectors.
        mm.startStack = (mm.argStart - 16 - 16 - 8L * vectors) & ~0xfL;
        long used = MmLayout.pageAlign(stackTop - mm.startStack);
        long size = Math.max(p.stackKb() * 1024L, used);
        mm.insert(new Vma(stackTop - size, stackTop, VM_READ | VM_WRITE | VM_MAY_ALL | VM_GROWSDOWN | VM_ACCOUNT, 0, null, null));
        return new Range(stackTop - used, stackTop);
    }

    private static int strings(byte[] v) {
        int n = 0;
        for (byte b : v) if (b == 0) n++;
        return n;
    }

    /**
     * The anonymous pages a started program has: its argument pages, the relocated data of
     * every object (RELRO and .data copied on write), the bss, the heap, other anonymous
     * memory, then deeper stack; a remainder grows the heap.
     */
    private static void populateAnon(MmStruct mm, long pages, Range argPages, Placed placed, Range anon, long stackTop) {
        long left = pages;
        left -= fillDown(mm, argPages, left);
        for (Range r : placed.written) left -= fillUp(mm, r, left, true);
        for (Range r : placed.bss) left -= fillUp(mm, r, left, true);
        Range heap = new Range(mm.startBrk, MmLayout.pageAlign(mm.brk));
        left -= fillUp(mm, heap, left, true);
        if (anon != null) left -= fillUp(mm, anon, left, true);
        Vma stack = mm.vmaAt(stackTop - 1);
        left -= fillDown(mm, new Range(stack.start, argPages.start), left);
        if (left > 0) {
            long oldEnd = MmLayout.pageAlign(mm.brk);
            long newBrk = Mmap.brk(mm, oldEnd + left * Param.PAGE_SIZE, Long.MAX_VALUE);
            fillUp(mm, new Range(oldEnd, MmLayout.pageAlign(newBrk)), left, true);
        }
    }

    /** Spreads the file-backed pages over the clean file ranges in proportion to their sizes. */
    private static void populateFile(MmStruct mm, long pages, List<Range> ranges) {
        long capacity = 0;
        for (Range r : ranges) capacity += r.pages();
        long target = Math.min(pages, capacity);
        long[] share = new long[ranges.size()];
        long given = 0;
        for (int i = 0; i < share.length; i++) {
            share[i] = capacity == 0 ? 0 : ranges.get(i).pages() * target / capacity;
            given += share[i];
        }
        for (int i = 0; given < target; i = (i + 1) % share.length) {
            if (share[i] < ranges.get(i).pages()) {
                share[i]++;
                given++;
            }
        }
        for (int i = 0; i < share.length; i++) fillUp(mm, ranges.get(i), share[i], false);
    }

    /**
     * Faults in up to max pages of r from its start, by writes or reads; returns how many.
     * The loader writes where the program could not (RELRO before it is write-protected).
     */
    private static long fillUp(MmStruct mm, Range r, long max, boolean write) {
        long n = Math.min(max, r.pages());
        if (n <= 0) return 0;
        faultIn(mm, r.start, r.start + n * Param.PAGE_SIZE, write);
        return n;
    }

    /** Writes to up to max pages of r from its end downward (the stack); returns how many. */
    private static long fillDown(MmStruct mm, Range r, long max) {
        long n = Math.min(max, r.pages());
        if (n <= 0) return 0;
        faultIn(mm, r.end - n * Param.PAGE_SIZE, r.end, true);
        return n;
    }

    private static void faultIn(MmStruct mm, long start, long end, boolean write) {
        for (Vma v : mm.overlapping(start, end)) Fault.fault(mm, v, Math.max(start, v.start), Math.min(end, v.end), write);
    }
}
