package ksim.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
    @Option(names = "--name", defaultValue = "default", description = "Instance name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--dir", description = "Runtime directory of the instance (overrides --name).")
    Path dir;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Instance in = Instance.named(name, dir);
        if (!Files.isRegularFile(in.proc().resolve("stat"))) {
            System.err.println("ksim: no running ksim at " + in.dir() + "; start one with: ksim up");
            return 2;
        }
        Process p = new ProcessBuilder(argv(in, command)).inheritIO().start();
        return p.waitFor();
    }

    static List<String> argv(Instance in, List<String> command) {
        return ksim.fuse.Namespaces.withProc(in.dir(), command);
    }
}
