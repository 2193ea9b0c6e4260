package ksim.kernel;

/**
 * What a simulated machine is made of. Defaults are a small, ordinary x86-64 server.
 *
 * @param cpus         number of CPUs (possible = online)
 * @param memoryKb     physical memory in KiB
 * @param hostname     utsname nodename
 * @param release      kernel release (uname -r)
 * @param seed         seed of every random choice the kernel makes
 * @param clockMode    WALL follows real time; MANUAL moves only by tick()
 * @param pidMax       initial /proc/sys/kernel/pid_max
 * @param bootEpochMs  wall-clock time of boot in ms since the epoch; negative = now
 * @param demo         boot the demo userland (a login session, daemons, odd names)
 */
public record KernelConfig(int cpus, long memoryKb, String hostname, String release, long seed,
                           Clock.Mode clockMode, int pidMax, long bootEpochMs, boolean demo) {

    public KernelConfig {
        if (cpus < 1 || cpus > 1024) throw new IllegalArgumentException("cpus must be 1..1024");
        // Below 128 MiB the kernel image, mem_map and boot page cache leave no room for the demo userland.
        if (memoryKb < 128 * 1024) throw new IllegalArgumentException("memory must be at least 128 MiB");
        if (hostname == null || hostname.isEmpty() || hostname.length() > Utsname.NEW_UTS_LEN) {
            throw new IllegalArgumentException("hostname must be 1..64 bytes");
        }
    }

    public static KernelConfig defaults() {
        return new KernelConfig(2, 4L * 1024 * 1024, "ksim", "6.18.0-ksim", 1, Clock.Mode.WALL,
                Param.PID_MAX_DEFAULT, -1, true);
    }

    public KernelConfig withCpus(int n) {
        return new KernelConfig(n, memoryKb, hostname, release, seed, clockMode, pidMax, bootEpochMs, demo);
    }

    public KernelConfig withMemoryKb(long kb) {
        return new KernelConfig(cpus, kb, hostname, release, seed, clockMode, pidMax, bootEpochMs, demo);
    }

    public KernelConfig withSeed(long s) {
        return new KernelConfig(cpus, memoryKb, hostname, release, s, clockMode, pidMax, bootEpochMs, demo);
    }

    public KernelConfig withClockMode(Clock.Mode m) {
        return new KernelConfig(cpus, memoryKb, hostname, release, seed, m, pidMax, bootEpochMs, demo);
    }

    public KernelConfig withPidMax(int p) {
        return new KernelConfig(cpus, memoryKb, hostname, release, seed, clockMode, p, bootEpochMs, demo);
    }

    public KernelConfig withBootEpochMs(long ms) {
        return new KernelConfig(cpus, memoryKb, hostname, release, seed, clockMode, pidMax, ms, demo);
    }

    public KernelConfig withDemo(boolean d) {
        return new KernelConfig(cpus, memoryKb, hostname, release, seed, clockMode, pidMax, bootEpochMs, d);
    }

    public KernelConfig withHostname(String h) {
        return new KernelConfig(cpus, memoryKb, h, release, seed, clockMode, pidMax, bootEpochMs, demo);
    }
}
