package ksim.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import ksim.mm.Program;
import org.junit.jupiter.api.function.Executable;

/** Deterministic kernels and small helpers shared by the kernel tests. */
final class TestKernels {
    /** 2023-11-14T22:13:20Z: a whole second, so btime arithmetic is exact. */
    static final long BOOT_MS = 1_700_000_000_000L;
    static final long SEED = 42;

    private TestKernels() {}

    static KernelConfig config() {
        return KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(BOOT_MS).withSeed(SEED);
    }

    static Kernel boot() {
        return Kernel.boot(config());
    }

    static Kernel boot(KernelConfig config) {
        return Kernel.boot(config);
    }

    /** The only live task whose comm is exactly comm. */
    static Task byComm(Kernel k, String comm) {
        List<Task> found = allByComm(k, comm);
        assertEquals(1, found.size(), "tasks named " + comm + ": " + found);
        return found.get(0);
    }

    static List<Task> allByComm(Kernel k, String comm) {
        List<Task> found = new ArrayList<>();
        for (Task t : k.pids().allTasks()) if (t.commString().equals(comm)) found.add(t);
        return found;
    }

    /** A plain process under init, with a tiny image. */
    static Task spawnSmall(Kernel k, String name) {
        Task t = k.spawn(k.initTask(), Program.small("/usr/bin/" + name, 100, 200, 3), List.of(name), List.of(), Cred.ROOT);
        assertNotNull(t);
        return t;
    }

    static Errno errnoOf(Executable e) {
        return assertThrows(KernelError.class, e).errno();
    }

    static long cpuSum(KernelCpustat st) {
        long s = 0;
        for (int i = 0; i < KernelCpustat.NR_STATS; i++) s += st.get(i);
        return s;
    }

    static long busy(KernelCpustat st) {
        return st.get(KernelCpustat.USER) + st.get(KernelCpustat.NICE) + st.get(KernelCpustat.SYSTEM);
    }

    static long taskTimeSum(Kernel k) {
        long s = 0;
        for (Task t : k.pids().allTasks()) s += t.utime() + t.stime();
        return s;
    }
}
