package ksim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs a command in fresh mount and pid namespaces with ksim's proc bound over /proc and its
 * sys over /sys. The pid namespace keeps kill, pkill and killall inside from reaching a host
 * process that happens to have a simulated pid.
 */
@Command(name = "with-proc", mixinStandardHelpOptions = true,
        description = "Run CMD in private mount + pid namespaces with ksim's proc over /proc and sys over /sys.")
final class WithProcCommand implements Callable<Integer> {
    @Mixin
    InstanceOptions where;

    @Option(names = "--stand-ins", description = "Give every simulated process a stand-in in the pid namespace, "
            + "so kill -0, pkill -0 and killall -0 find the processes /proc lists (other signals reach only the stand-ins).")
    boolean standIns;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Instance in = where.instance();
        if (!Files.isRegularFile(in.proc().resolve("stat"))) {
            System.err.println("ksim: no running ksim at " + in.dir() + "; start one with: ksim up");
            return 2;
        }
        List<String> argv = standIns ? ksim.fuse.Namespaces.withProcAndStandIns(in.dir(), processes(in), command) : argv(in, command);
        Process p = new ProcessBuilder(argv).inheritIO().start();
        return p.waitFor();
    }

    /** The pids /proc lists now. */
    private static List<Integer> processes(Instance in) throws IOException {
        try (var names = Files.list(in.proc())) {
            return names.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Integer::valueOf).toList();
        }
    }

    static List<String> argv(Instance in, List<String> command) {
        return ksim.fuse.Namespaces.withProc(in.dir(), command);
    }
}
