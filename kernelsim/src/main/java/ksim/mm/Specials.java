package ksim.mm;

import static ksim.mm.VmFlags.*;

/**
 * The special mappings every x86-64 process gets (arch/x86/entry/vdso/vma.c map_vdso and
 * the vvar pages; arch/x86/entry/vsyscall for the gate page): names, sizes and flags as a
 * 6.18 kernel shows them.
 */
public final class Specials {
    private Specials() {}

    public static final String VVAR = "[vvar]";
    public static final String VVAR_VCLOCK = "[vvar_vclock]";
    public static final String VDSO = "[vdso]";
    public static final String VSYSCALL = "[vsyscall]";

    public static final int VVAR_KB = 16;
    public static final int VVAR_VCLOCK_KB = 8;
    public static final int VDSO_KB = 8;
    public static final int TOTAL_KB = VVAR_KB + VVAR_VCLOCK_KB + VDSO_KB;

    /** vvar pages: read-only PFN maps the fault path never counts. */
    public static final long VVAR_FLAGS = VM_READ | VM_MAYREAD | VM_PFNMAP | VM_IO | VM_DONTEXPAND | VM_DONTDUMP;
    public static final long VDSO_FLAGS = VM_READ | VM_EXEC | VM_MAY_ALL | VM_DONTEXPAND;
    /** The gate vma's flags (gate_vma.vm_flags = VM_EXEC). */
    public static final long VSYSCALL_FLAGS = VM_EXEC;

    /** Maps [vvar], [vvar_vclock] and [vdso] from addr upward. */
    static void map(MmStruct mm, long addr) {
        long a = addr;
        mm.insert(new Vma(a, a + VVAR_KB * 1024L, VVAR_FLAGS, 0, null, VVAR));
        a += VVAR_KB * 1024L;
        mm.insert(new Vma(a, a + VVAR_VCLOCK_KB * 1024L, VVAR_FLAGS, 0, null, VVAR_VCLOCK));
        a += VVAR_VCLOCK_KB * 1024L;
        mm.insert(new Vma(a, a + VDSO_KB * 1024L, VDSO_FLAGS, 0, null, VDSO));
    }
}
