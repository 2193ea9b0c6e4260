package ksim.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The boot-time memory map (mm/memblock.c over arch/x86/kernel/e820.c): which page frames are
 * RAM (memblock.memory) and which of them early boot keeps for itself (memblock.reserved),
 * so that only the rest reaches the buddy allocator and counts as managed (MemTotal).
 *
 * The machine is laid out as a PC firmware (QEMU's, and the reference machine's) presents it:
 * pfn 0 and the legacy hole 640 KiB..1 MiB are not RAM, RAM runs from 1 MiB to at most 3 GiB,
 * the PCI hole fills 3..4 GiB, and whatever is left is mapped from 4 GiB up. Early boot
 * reserves, as x86's setup_arch() and mm_core_init() do:
 * <ul>
 * <li>the whole first MiB (real-mode trampoline, BIOS data);</li>
 * <li>the kernel image at 16 MiB (CONFIG_PHYSICAL_START), text to end of bss; its init
 *     sections are freed again after boot and are not counted here;</li>
 * <li>mem_map: a 64-byte struct page for every page of each present 128 MiB memory section
 *     (sparse_init(), top-down from the end of memory);</li>
 * <li>the per-CPU first chunk (setup_per_cpu_areas(), top-down);</li>
 * <li>the 64 MiB swiotlb bounce buffer below 4 GiB when RAM reaches above 4 GiB
 *     (swiotlb_init(), top-down below 4 GiB).</li>
 * </ul>
 * Early page tables, ACPI tables and the initrd are left out (the last two are firmware
 * reserved or freed after boot).
 */
public final class Memblock {
    /** A run of page frames [base, base + pages). */
    public record Region(long base, long pages) {
        public long end() {
            return base + pages;
        }

        boolean overlaps(long from, long to) {
            return from < end() && base < to;
        }
    }

    /** PFN_SECTION_SHIFT on x86-64: sections of 128 MiB (SECTION_SIZE_BITS 27). */
    public static final int PFN_SECTION_SHIFT = 27 - 12;
    /** sizeof(struct page). */
    public static final int STRUCT_PAGE_BYTES = 64;
    /** MAX_DMA_PFN: the end of ZONE_DMA, 16 MiB. */
    public static final long MAX_DMA_PFN = (16L << 20) >> 12;
    /** MAX_DMA32_PFN: the end of ZONE_DMA32, 4 GiB. */
    public static final long MAX_DMA32_PFN = (4L << 30) >> 12;
    /** Where the PCI hole starts when RAM does not fit below it (3 GiB). */
    static final long PCI_HOLE_PFN = (3L << 30) >> 12;
    /** The legacy VGA/BIOS hole: 0x9f000..0x100000 is not RAM. */
    static final long LEGACY_HOLE_PFN = 0x9f;
    static final long ONE_MIB_PFN = 0x100;
    /** The kernel image: __pa(_text) at CONFIG_PHYSICAL_START = 16 MiB. */
    static final long KERNEL_START_PFN = (16L << 20) >> 12;
    /** _text.._end without the init sections: code 14 MiB, rodata 8 MiB, data 2.5, bss 3.5. */
    public static final long KERNEL_IMAGE_PAGES = (28L << 20) >> 12;
    /** IO_TLB_DEFAULT_SIZE: 64 MiB. */
    public static final long SWIOTLB_PAGES = (64L << 20) >> 12;
    /** Per-CPU first chunk per CPU (the static percpu area plus the dynamic reserve): 320 KiB. */
    public static final long PERCPU_UNIT_PAGES = 80;

    private final List<Region> memory;
    private final List<Region> reserved = new ArrayList<>();
    private long memmapPages;
    private long percpuPages;

    private Memblock(List<Region> memory) {
        this.memory = List.copyOf(memory);
    }

    /** e820__memblock_setup() and the early reservations of an x86-64 boot with this much RAM. */
    public static Memblock x86(long memoryKb, int cpus) {
        long ramPages = memoryKb / 4;
        if (ramPages < ONE_MIB_PFN * 2) throw new IllegalArgumentException("too little memory: " + memoryKb + " KiB");
        List<Region> mem = new ArrayList<>();
        mem.add(new Region(1, LEGACY_HOLE_PFN - 1));
        long lowTop = ramPages > PCI_HOLE_PFN ? PCI_HOLE_PFN : ramPages;
        mem.add(new Region(ONE_MIB_PFN, lowTop - ONE_MIB_PFN));
        if (ramPages > lowTop) mem.add(new Region(MAX_DMA32_PFN, ramPages - lowTop));
        Memblock mb = new Memblock(mem);
        mb.reserve(0, ONE_MIB_PFN);
        mb.reserve(KERNEL_START_PFN, Math.min(KERNEL_IMAGE_PAGES, lowTop - KERNEL_START_PFN));
        long sections = mb.onlineSections();
        mb.memmapPages = sections * ((1L << PFN_SECTION_SHIFT) * STRUCT_PAGE_BYTES >> 12);
        mb.allocTopDown(mb.maxPfn(), mb.memmapPages);
        mb.percpuPages = PERCPU_UNIT_PAGES * cpus;
        mb.allocTopDown(mb.maxPfn(), mb.percpuPages);
        if (mb.maxPfn() > MAX_DMA32_PFN) mb.allocTopDown(MAX_DMA32_PFN, SWIOTLB_PAGES);
        return mb;
    }

    /** memblock_reserve(). */
    void reserve(long base, long pages) {
        if (pages <= 0) return;
        reserved.add(new Region(base, pages));
        reserved.sort(Comparator.comparingLong(Region::base));
    }

    /** memblock_alloc_range_nid() top-down: the highest free RAM below limit that fits. */
    private void allocTopDown(long limit, long pages) {
        List<Region> desc = new ArrayList<>(memory);
        Collections.reverse(desc);
        for (Region r : desc) {
            long end = Math.min(r.end(), limit);
            while (end - pages >= r.base()) {
                long from = end - pages;
                Region clash = null;
                for (Region x : reserved) if (x.overlaps(from, end)) clash = x;
                if (clash == null) {
                    reserve(from, pages);
                    return;
                }
                end = clash.base();
            }
        }
        throw new IllegalArgumentException("memblock: no room for " + pages + " pages below pfn " + limit);
    }

    public List<Region> memory() {
        return memory;
    }

    public List<Region> reserved() {
        return List.copyOf(reserved);
    }

    /** The first page frame that is RAM. */
    public long minPfn() {
        return memory.get(0).base();
    }

    /** max_pfn: one past the last page frame of RAM. */
    public long maxPfn() {
        return memory.get(memory.size() - 1).end();
    }

    /** Pages of RAM in [from, to): a zone's present_pages. */
    public long presentPages(long from, long to) {
        long n = 0;
        for (Region r : memory) n += Math.max(0, Math.min(r.end(), to) - Math.max(r.base(), from));
        return n;
    }

    /** Whether pfn is RAM. */
    public boolean isMemory(long pfn) {
        for (Region r : memory) if (pfn >= r.base() && pfn < r.end()) return true;
        return false;
    }

    public boolean isReserved(long pfn) {
        for (Region r : reserved) if (pfn >= r.base() && pfn < r.end()) return true;
        return false;
    }

    /** pfn_to_online_page() != NULL: the pfn's memory section holds some RAM. */
    public boolean sectionOnline(long pfn) {
        long s = pfn >> PFN_SECTION_SHIFT;
        return presentPages(s << PFN_SECTION_SHIFT, (s + 1) << PFN_SECTION_SHIFT) > 0;
    }

    long onlineSections() {
        long n = 0;
        long last = -1;
        for (Region r : memory) {
            for (long s = r.base() >> PFN_SECTION_SHIFT; s <= (r.end() - 1) >> PFN_SECTION_SHIFT; s++) {
                if (s != last) n++;
                last = s;
            }
        }
        return n;
    }

    /** The free ranges memblock_free_all() hands to the buddy allocator: RAM minus reserved, ascending. */
    public List<Region> freeRanges() {
        List<Region> out = new ArrayList<>();
        for (Region r : memory) {
            long at = r.base();
            for (Region x : reserved) {
                if (x.end() <= at || x.base() >= r.end()) continue;
                if (x.base() > at) out.add(new Region(at, x.base() - at));
                at = Math.max(at, x.end());
            }
            if (at < r.end()) out.add(new Region(at, r.end() - at));
        }
        return out;
    }

    /** nr_memmap_boot_pages: pages of struct page allocated at boot. */
    public long memmapPages() {
        return memmapPages;
    }

    /** The per-CPU first chunk, in pages (meminfo Percpu). */
    public long percpuPages() {
        return percpuPages;
    }
}
