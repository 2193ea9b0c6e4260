package ksim.mm;

import ksim.kernel.Param;

/**
 * struct vm_area_struct (include/linux/mm_types.h): one mapping [start, end) of an address
 * space, its flags, what it maps (a file at a page offset, a special mapping such as the
 * vDSO, or anonymous memory) and its present pages.
 */
public final class Vma {
    long start;
    long end;
    long flags;
    /** vm_pgoff: the file offset of start, in pages (0 for anonymous memory). */
    long pgoff;
    /** vm_file, or null for anonymous and special mappings. */
    final VmFile file;
    /** The name of a special mapping (vm_special_mapping.name: "[vdso]", "[vvar]"...), else null. */
    final String special;
    ResidentPages pages = new ResidentPages();

    Vma(long start, long end, long flags, long pgoff, VmFile file, String special) {
        if (start >= end || (start & (Param.PAGE_SIZE - 1)) != 0 || (end & (Param.PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException(String.format("bad vma %x-%x", start, end));
        }
        this.start = start;
        this.end = end;
        this.flags = flags;
        this.pgoff = pgoff;
        this.file = file;
        this.special = special;
    }

    public long start() { return start; }
    public long end() { return end; }
    public long flags() { return flags; }
    public long pgoff() { return pgoff; }
    public VmFile file() { return file; }
    public String special() { return special; }
    public boolean has(long flag) { return (flags & flag) != 0; }
    public boolean isAnonymous() { return file == null && special == null; }

    /** vma_pages(). */
    public long pages() {
        return (end - start) >>> Param.PAGE_SHIFT;
    }

    public long startPfn() {
        return start >>> Param.PAGE_SHIFT;
    }

    public long endPfn() {
        return end >>> Param.PAGE_SHIFT;
    }

    /** The present page runs, by virtual page number. */
    public ResidentPages residentPages() {
        return pages;
    }

    public long anonPages() { return pages.count(PageKind.ANON); }
    public long filePages() { return pages.count(PageKind.FILE) + pages.count(PageKind.FILE_DIRTY); }
    public long shmemPages() { return pages.count(PageKind.SHMEM); }
    public long swapPages() { return pages.count(PageKind.SWAP); }
    public long rssPages() { return pages.resident(); }
    /** Pages accessed since the referenced bits were last cleared: every present page, as nothing clears them. */
    public long referencedPages() { return pages.resident(); }
    /** Present pages of an mlocked mapping. */
    public long lockedPages() { return has(VmFlags.VM_LOCKED) ? pages.resident() : 0; }

    /**
     * What the pages of this mapping are shared through: its file's page cache (every mm that
     * maps the file maps the same pages), the special mapping's pages, or nothing (0) for
     * private anonymous memory.
     */
    public long shareKey() {
        if (file != null) return file.key();
        if (special != null) return (1L << 62) | special.hashCode();
        return 0;
    }

    /** vm_start_gap(): a stack keeps stack_guard_gap free below it. */
    long startGap() {
        if (!has(VmFlags.VM_GROWSDOWN)) return start;
        return Math.max(0, start - MmLayout.STACK_GUARD_GAP);
    }

    /** __split_vma(): this keeps [start, addr) and the returned vma takes [addr, end). */
    Vma splitAt(long addr) {
        Vma upper = new Vma(addr, end, flags, file == null ? 0 : pgoff + ((addr - start) >>> Param.PAGE_SHIFT), file, special);
        upper.pages = pages.splitOff(addr >>> Param.PAGE_SHIFT);
        end = addr;
        return upper;
    }

    /** is_mergeable_vma() and the pgoff rule of can_vma_merge_after(): next may be folded into this. */
    boolean canMerge(Vma next) {
        if (end != next.start || flags != next.flags || (flags & VmFlags.VM_SPECIAL) != 0) return false;
        if (special != null || next.special != null) return false;
        if (file == null) return next.file == null;
        return file.equals(next.file) && pgoff + pages() == next.pgoff;
    }

    /** Folds next (adjacent, mergeable) into this. */
    void absorb(Vma next) {
        end = next.end;
        pages.absorb(next.pages);
    }

    /** vm_area_dup(): the copy a child gets at fork, with its page table entries. */
    Vma copy() {
        Vma c = new Vma(start, end, flags, pgoff, file, special);
        c.pages = pages.copy();
        return c;
    }

    @Override
    public String toString() {
        return String.format("%x-%x %x %s", start, end, flags, file != null ? file.path() : special != null ? special : "");
    }
}
