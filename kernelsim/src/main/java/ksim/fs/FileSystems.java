package ksim.fs;

import java.util.ArrayList;
import java.util.List;

/** The registered filesystem types (fs/filesystems.c register_filesystem), in order. */
public final class FileSystems {
    /** One file_system_type: its name and whether it needs a block device. */
    public record Type(String name, boolean requiresDevice) {}

    private final List<Type> types = new ArrayList<>();

    public synchronized void register(Type t) {
        for (Type x : types) if (x.name().equals(t.name())) return;
        types.add(t);
    }

    public synchronized List<Type> list() {
        return List.copyOf(types);
    }
}
