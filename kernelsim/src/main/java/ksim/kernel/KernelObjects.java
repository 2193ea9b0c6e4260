package ksim.kernel;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import ksim.mm.MmStruct;
import ksim.mm.VmStat;
import ksim.mm.slub.BootCaches;
import ksim.mm.slub.KmemCache;
import ksim.mm.slub.Slub;

/**
 * The slab objects the kernel's own structures live in: what copy_process() allocates for a
 * task (dup_task_struct, alloc_pid; for a new process also copy_signal, copy_sighand,
 * prepare_creds, copy_files, copy_fs), what an mm takes (mm_alloc / dup_mm with its VMAs,
 * anon_vmas and anon_vma_chains), and the boot-time population of every other cache. The
 * kernel owns the Slub; its slab pages are counted in VmStat's NR_SLAB_* items.
 */
final class KernelObjects {
    /** VMAs, anon_vmas and anon_vma_chains of an mm: a small program's text, data, heap, stack and libraries. */
    static final int VMAS_PER_MM = 16;
    static final int ANON_VMAS_PER_MM = 4;
    static final int AVCS_PER_MM = 8;
    /** Caches whose objects the kernel's tasks and mms account for; the boot population leaves them alone. */
    static final Set<String> KERNEL_FILLED = Set.of("task_struct", "signal_cache", "sighand_cache", "files_cache",
            "mm_struct", "pid", "vm_area_struct", "anon_vma", "anon_vma_chain");

    final Slub slub;
    private final Map<String, KmemCache> caches;
    private final KmemCache taskStruct;
    private final KmemCache pid;
    private final KmemCache signal;
    private final KmemCache sighand;
    private final KmemCache cred;
    private final KmemCache files;
    private final KmemCache fs;
    private final KmemCache mmStruct;
    private final KmemCache vma;
    private final KmemCache anonVma;
    private final KmemCache avc;
    private final Map<Task, long[]> taskObjects = new IdentityHashMap<>();
    private final Map<MmStruct, long[]> mmObjects = new IdentityHashMap<>();
    /** The CPU the last task operation ran on, where an mm's objects are allocated or freed. */
    private int cpu;

    private KernelObjects(Slub slub, Map<String, KmemCache> caches) {
        this.slub = slub;
        this.caches = caches;
        this.taskStruct = caches.get("task_struct");
        this.pid = caches.get("pid");
        this.signal = caches.get("signal_cache");
        this.sighand = caches.get("sighand_cache");
        this.cred = caches.get("cred");
        this.files = caches.get("files_cache");
        this.fs = caches.get("fs_cache");
        this.mmStruct = caches.get("mm_struct");
        this.vma = caches.get("vm_area_struct");
        this.anonVma = caches.get("anon_vma");
        this.avc = caches.get("anon_vma_chain");
    }

    /**
     * kmem_cache_init() and the kmem_cache_create() calls of boot: the allocator on the buddy
     * allocator, counting its slab pages into vmstat.
     */
    static KernelObjects boot(KernelConfig config, VmStat vmstat) {
        Slub slub = new Slub(Slub.Config.defaults(config.cpus(), config.seed()), vmstat.pageSource());
        slub.setPageCounter((reclaimable, n) -> vmstat.add(
                reclaimable ? VmStat.Item.NR_SLAB_RECLAIMABLE : VmStat.Item.NR_SLAB_UNRECLAIMABLE, n));
        return new KernelObjects(slub, BootCaches.create(slub));
    }

    /** The objects a booted server holds in every cache the kernel does not fill itself. */
    void populate(KernelConfig config) {
        BootCaches.populate(slub, caches, KERNEL_FILLED, config.memoryKb(), config.seed());
    }

    private int cpuOf(Task t) {
        return t == null ? 0 : Math.max(0, Math.min(t.cpu, slub.config().cpus() - 1));
    }

    /** copy_process(): a task_struct and a pid; a new process also a signal, sighand and cred, and files and fs unless it is a kernel thread. */
    void fork(Task t, Task parent) {
        cpu = cpuOf(parent);
        boolean process = t.isGroupLeader();
        boolean kthread = (t.flags & Task.PF_KTHREAD) != 0;
        KmemCache[] from = !process ? new KmemCache[] {taskStruct, pid}
                : kthread ? new KmemCache[] {taskStruct, pid, signal, sighand, cred}
                : new KmemCache[] {taskStruct, pid, signal, sighand, cred, files, fs};
        taskObjects.put(t, allocAll(from, cpu));
    }

    /** Whether the task still holds the objects fork() gave it (until free_task()). */
    boolean holds(Task t) {
        return taskObjects.containsKey(t);
    }

    /** release_task() / free_task(): everything fork() gave the task goes back. */
    void release(Task t) {
        cpu = cpuOf(t);
        long[] objs = taskObjects.remove(t);
        if (objs != null) freeAll(objs, cpu);
    }

    /** mm_alloc() / dup_mm() (sign +1) and mmput() (sign -1). */
    void mm(MmStruct mm, int sign) {
        if (sign > 0) {
            KmemCache[] from = new KmemCache[1 + VMAS_PER_MM + ANON_VMAS_PER_MM + AVCS_PER_MM];
            int i = 0;
            from[i++] = mmStruct;
            for (int j = 0; j < VMAS_PER_MM; j++) from[i++] = vma;
            for (int j = 0; j < ANON_VMAS_PER_MM; j++) from[i++] = anonVma;
            for (int j = 0; j < AVCS_PER_MM; j++) from[i++] = avc;
            mmObjects.put(mm, allocAll(from, cpu));
        } else {
            long[] objs = mmObjects.remove(mm);
            if (objs != null) freeAll(objs, cpu);
        }
    }

    /** All or nothing: if one allocation fails, the ones made are given back. */
    private long[] allocAll(KmemCache[] from, int onCpu) {
        long[] objs = new long[from.length];
        int n = 0;
        try {
            for (; n < from.length; n++) objs[n] = slub.alloc(from[n], onCpu);
            return objs;
        } catch (KernelError e) {
            for (int i = 0; i < n; i++) slub.kfree(objs[i], onCpu);
            throw e;
        }
    }

    private void freeAll(long[] objs, int onCpu) {
        for (long h : objs) slub.kfree(h, onCpu);
    }

    /** Tasks and mms whose objects are held (for tests). */
    int tasksHeld() {
        return taskObjects.size();
    }

    int mmsHeld() {
        return mmObjects.size();
    }
}
