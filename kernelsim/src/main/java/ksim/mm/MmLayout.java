package ksim.mm;

import java.util.SplittableRandom;

/**
 * The x86-64 user address space (arch/x86/include/asm/page_64_types.h, processor.h,
 * elf.h, arch/x86/mm/mmap.c): its size, where a PIE executable, the heap, the mmap area and
 * the stack go, and how far ASLR moves each of them.
 */
public final class MmLayout {
    private MmLayout() {}

    /** TASK_SIZE_MAX with 4-level paging: the first address user space cannot map. */
    public static final long TASK_SIZE = 0x7ffffffff000L;
    /** mmap_min_addr: the lowest address mmap hands out. */
    public static final long MMAP_MIN_ADDR = 0x10000L;
    /** ELF_ET_DYN_BASE: where a PIE binary is loaded before randomisation (2/3 of the window). */
    public static final long ELF_ET_DYN_BASE = (TASK_SIZE / 3 * 2) & ~0xfffL;
    /** stack_guard_gap: 256 pages kept free below a stack. */
    public static final long STACK_GUARD_GAP = 256L << 12;
    /** The default RLIMIT_STACK (8 MiB), which sizes the gap between stack and mmap area. */
    public static final long RLIMIT_STACK = 8L << 20;
    /** The smallest gap mmap_base() leaves below the stack. */
    public static final long MIN_GAP = 128L << 20;
    /** The [vsyscall] gate page (VSYSCALL_ADDR), mapped in every process but not in its vma list. */
    public static final long VSYSCALL_START = 0xffffffffff600000L;
    public static final long VSYSCALL_END = VSYSCALL_START + 0x1000;
    /** sysctl vm.max_map_count (DEFAULT_MAX_MAP_COUNT). */
    public static final int MAX_MAP_COUNT = 65530;

    /** arch_mmap_rnd(): 28 bits of pages for 64-bit tasks. */
    static long mmapRnd(SplittableRandom r) {
        return (r.nextLong() & ((1L << 28) - 1)) << 12;
    }

    /** stack_maxrandom_size(): the top of the stack moves by up to 16 GiB (22 bits of pages). */
    static long stackRnd(SplittableRandom r) {
        return (r.nextLong() & ((1L << 22) - 1)) << 12;
    }

    /** arch_randomize_brk(): the heap starts up to 1 GiB above the end of the image. */
    static long brkRnd(SplittableRandom r) {
        return (r.nextLong() & ((1L << 30) - 1)) & ~0xfffL;
    }

    /** mmap_base(): below the stack by its rlimit, the guard gap and the stack's random range, then randomised. */
    static long mmapBase(long rnd) {
        long gap = RLIMIT_STACK + STACK_GUARD_GAP + (((1L << 22) - 1) << 12);
        gap = Math.max(gap, MIN_GAP);
        return (TASK_SIZE - gap - rnd) & ~0xfffL;
    }

    static long pageAlign(long addr) {
        return (addr + 0xfff) & ~0xfffL;
    }
}
