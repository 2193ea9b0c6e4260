package ksim.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import ksim.cli.slabcheck.SlabChecker;
import ksim.cli.slabcheck.SlabTree;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ksim slab-check DIR: verifies a mounted /sys/kernel/slab and /proc/slabinfo against the SLUB spec. */
@Command(name = "slab-check", mixinStandardHelpOptions = true,
        description = "Check DIR/sys/kernel/slab and DIR/proc/slabinfo against the SLUB spec: layout, modes, formats, "
                + "ids and aliases, geometry, the counter invariants, and slabinfo agreeing with sysfs. DIR is an "
                + "instance directory (its proc/ and sys/ mounted) or / for the running machine (read as root; a busy "
                + "machine's counters move between reads). Exits 1 if anything does not hold.")
final class SlabCheckCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Directory holding sys/ and proc/ (an instance directory, or /).")
    Path dir;

    @Option(names = "--cpus", defaultValue = "0", description = "CPUs the orders were computed for (default: DIR/sys/devices/system/cpu/present).")
    int cpus;

    @Option(names = "--skip-tunables", description = "Do not require min_partial and cpu_partial to have their creation values.")
    boolean skipTunables;

    @Option(names = {"-v", "--verbose"}, description = "Also print notes (dangling links, destroyed aliases).")
    boolean verbose;

    @Override
    public Integer call() {
        SlabChecker.Report r = new SlabChecker(SlabTree.at(dir), cpus, !skipTunables).run();
        for (String p : r.problems()) System.out.println("slab-check: " + p);
        if (verbose) for (String n : r.notes()) System.out.println("slab-check: note: " + n);
        System.out.printf("slab-check: %d caches, %d alias links, %d checks, %d problems%n", r.caches(), r.links(), r.checks(),
                r.problems().size());
        return r.ok() ? 0 : 1;
    }
}
