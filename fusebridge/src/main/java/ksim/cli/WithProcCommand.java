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

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments (after --).")
    List<String> command;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Instance in = where.instance();
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
