package ksim.kernel;

import java.util.SplittableRandom;
import java.util.function.Function;
import ksim.mm.Fault;
import ksim.mm.MmStruct;
import ksim.mm.Mmap;
import ksim.mm.Program;
import ksim.mm.Rmap;

/**
 * The memory system calls a process makes, performed on a task: brk(), mmap(), munmap()
 * (mm/mmap.c) and the page faults of touching memory (mm/memory.c), plus the loading of a
 * new image at execve(). Each takes the kernel lock, fails with an errno (ESRCH for a dead
 * task, EINVAL for a kernel thread, which has no address space) and keeps the global page
 * counters in step through Kernel.accountMm.
 */
public final class MmSyscalls {
    private final Kernel k;
    private final Rmap rmap = new Rmap();
    /** The seed source of address-space randomisation (ASLR), from the kernel's seed. */
    private final SplittableRandom aslr;
    /** get_next_ino() for the shmem files behind shared anonymous mappings. */
    private long nextIno = 1024;

    MmSyscalls(Kernel k) {
        this.k = k;
        this.aslr = new SplittableRandom(k.config.seed() ^ 0x6a09e667f3bcc908L);
    }

    /** Which mms map each file: smaps' sharing. */
    public Rmap rmap() {
        return rmap;
    }

    /** The address space a program starts with, randomised afresh (exec). */
    MmStruct load(Program program, byte[] argv, byte[] envp) {
        return MmStruct.load(program, argv, envp, aslr.nextLong(), () -> nextIno++);
    }

    /**
     * brk(addr): moves the break and returns the break in force afterwards (the old one if
     * the move was refused); 0 asks for the current break.
     */
    public long brk(Task t, long addr) {
        return onMm(t, mm -> Mmap.brk(mm, addr, commitLimit()));
    }

    /** sbrk(increment), as glibc builds it on brk(): returns the old break, ENOMEM if the move was refused. */
    public long sbrk(Task t, long increment) {
        return onMm(t, mm -> {
            long old = mm.brk();
            if (increment == 0) return old;
            long want = old + increment;
            if (Mmap.brk(mm, want, commitLimit()) != want) throw Errno.ENOMEM.error("the break cannot move to " + Long.toHexString(want));
            return old;
        });
    }

    /**
     * mmap(addr, length, prot, flags, fd, offset) with the file named by path (null for
     * MAP_ANONYMOUS); returns the address. prot and flags are the PROT_* and MAP_* bits of
     * ksim.mm.Mman, which also parses their names.
     */
    public long mmap(Task t, long addr, long length, int prot, int flags, String path, long offset) {
        return onMm(t, mm -> Mmap.mmap(mm, addr, length, prot, flags, path, offset, () -> nextIno++, commitLimit()));
    }

    /** mmap() with prot and flags as words: "rw", "private,anonymous" (see Mman.parseProt, parseFlags). */
    public long mmap(Task t, long addr, long length, String prot, String flags, String path, long offset) {
        return mmap(t, addr, length, ksim.mm.Mman.parseProt(prot), ksim.mm.Mman.parseFlags(flags), path, offset);
    }

    /** munmap(addr, length). */
    public void munmap(Task t, long addr, long length) {
        onMm(t, mm -> {
            Mmap.munmap(mm, addr, length);
            return null;
        });
    }

    /**
     * The task reads (or writes) every byte of [addr, addr + length): the pages fault in and
     * count in its rss. Returns the number of faults, which also count as minor faults of
     * the task. EFAULT if part of the range is unmapped or forbids the access.
     */
    public long touch(Task t, long addr, long length, boolean write) {
        long faults = onMm(t, mm -> Fault.touch(mm, addr, length, write));
        k.locked(() -> t.minFlt += faults);
        return faults;
    }

    /** The heuristic overcommit limit of one request: all RAM (there is no swap). */
    private long commitLimit() {
        return k.vmstat.totalRamPages();
    }

    private <T> T onMm(Task t, Function<MmStruct, T> op) {
        return k.locked(() -> {
            if (!t.isAlive()) throw Errno.ESRCH.error("task " + t.pid() + " has exited");
            MmStruct mm = t.mm;
            if (mm == null) throw Errno.EINVAL.error("task " + t.pid() + " is a kernel thread and has no address space");
            k.accountMm(mm, -1);
            try {
                return op.apply(mm);
            } finally {
                mm.updateHiwater();
                k.accountMm(mm, +1);
            }
        });
    }
}
