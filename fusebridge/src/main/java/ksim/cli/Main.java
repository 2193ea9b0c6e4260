package ksim.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The ksim command line. */
@Command(name = "ksim", mixinStandardHelpOptions = true, version = "ksim 0.1",
        description = "A simulated Linux kernel whose /proc and /sys you can mount.",
        subcommands = {UpCommand.class, DownCommand.class, WithProcCommand.class, CtlCommand.class,
                SlabCheckCommand.class, MkfsExt2Command.class, MountExt2Command.class, CdsTrainCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int rc = new CommandLine(new Main()).execute(args);
        if (rc != 0 || args.length == 0 || !"up".equals(args[0])) System.exit(rc);
    }
}
