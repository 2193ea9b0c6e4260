package ksim.mm;

/**
 * The vm_flags of a vm_area_struct (include/linux/mm.h VM_*) and the three ways
 * vm_stat_account() classifies a mapping (mm/internal.h is_exec/is_stack/is_data_mapping).
 */
public final class VmFlags {
    private VmFlags() {}

    public static final long VM_READ = 0x1;
    public static final long VM_WRITE = 0x2;
    public static final long VM_EXEC = 0x4;
    public static final long VM_SHARED = 0x8;
    public static final long VM_MAYREAD = 0x10;
    public static final long VM_MAYWRITE = 0x20;
    public static final long VM_MAYEXEC = 0x40;
    public static final long VM_MAYSHARE = 0x80;
    public static final long VM_GROWSDOWN = 0x100;
    public static final long VM_PFNMAP = 0x400;
    public static final long VM_LOCKED = 0x2000;
    public static final long VM_IO = 0x4000;
    public static final long VM_SEQ_READ = 0x8000;
    public static final long VM_RAND_READ = 0x10000;
    public static final long VM_DONTCOPY = 0x20000;
    public static final long VM_DONTEXPAND = 0x40000;
    public static final long VM_LOCKONFAULT = 0x80000;
    public static final long VM_ACCOUNT = 0x100000;
    public static final long VM_NORESERVE = 0x200000;
    public static final long VM_HUGETLB = 0x400000;
    public static final long VM_SYNC = 0x800000;
    public static final long VM_ARCH_1 = 0x1000000;
    public static final long VM_WIPEONFORK = 0x2000000;
    public static final long VM_DONTDUMP = 0x4000000;
    public static final long VM_SOFTDIRTY = 0x8000000;
    public static final long VM_MIXEDMAP = 0x10000000;
    public static final long VM_HUGEPAGE = 0x20000000;
    public static final long VM_NOHUGEPAGE = 0x40000000;
    public static final long VM_MERGEABLE = 0x80000000L;

    /** VM_STACK on x86: the stack grows down. */
    public static final long VM_STACK = VM_GROWSDOWN;
    /** Mappings the core mm must not merge, expand or fault normally (VM_SPECIAL). */
    public static final long VM_SPECIAL = VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP;
    /** VM_MAY* bits every mapping of a readable, exec-mountable file or anonymous memory gets. */
    public static final long VM_MAY_ALL = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

    /** is_exec_mapping(): executable, neither writable nor stack. Counted in exec_vm (VmExe + VmLib). */
    public static boolean isExec(long flags) {
        return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
    }

    /** is_stack_mapping(): counted in stack_vm (VmStk). */
    public static boolean isStack(long flags) {
        return (flags & VM_STACK) == VM_STACK;
    }

    /** is_data_mapping(): private writable, not stack. Counted in data_vm (VmData). */
    public static boolean isData(long flags) {
        return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
    }

    /** accountable_mapping(): private writable memory that is charged to the commit limit. */
    public static boolean isAccountable(long flags) {
        return (flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
    }
}
