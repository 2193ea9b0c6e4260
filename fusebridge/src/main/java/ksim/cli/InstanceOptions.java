package ksim.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that say which instance a command is about (a picocli mixin). */
final class InstanceOptions {
    @Option(names = "--name", defaultValue = "default", description = "Instance name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--dir", description = "Runtime directory of the instance (overrides --name); proc/ and sys/ are its mountpoints.")
    Path dir;

    Instance instance() {
        return Instance.named(name, dir);
    }
}
