package ksim.cli.slabcheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the checker reads: a /sys/kernel/slab and a /proc/slabinfo under a root directory
 * ("/" for the running host, an instance directory for a mounted ksim). Paths are relative to
 * the root. Tests substitute files to check that the checker notices.
 */
public interface SlabTree {
    /** lstat(): type, permission bits, size, link count, owner. */
    record Stat(boolean dir, boolean link, boolean regular, int mode, long size, int nlink, int uid) {}

    List<String> list(String dir);

    Stat lstat(String path);

    String read(String path);

    String readlink(String path);

    /** The real filesystem under root. */
    static SlabTree at(Path root) {
        return new SlabTree() {
            private Path p(String rel) {
                return root.resolve(rel);
            }

            @Override
            public List<String> list(String dir) {
                try (Stream<Path> s = Files.list(p(dir))) {
                    List<String> out = new ArrayList<>();
                    s.forEach(x -> out.add(x.getFileName().toString()));
                    out.sort(null);
                    return out;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public Stat lstat(String path) {
                try {
                    Map<String, Object> a = Files.readAttributes(p(path), "unix:mode,size,nlink,uid", LinkOption.NOFOLLOW_LINKS);
                    int mode = (Integer) a.get("mode");
                    int type = mode & 0170000;
                    return new Stat(type == 0040000, type == 0120000, type == 0100000, mode & 07777,
                            (Long) a.get("size"), (Integer) a.get("nlink"), (Integer) a.get("uid"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String read(String path) {
                try {
                    return new String(Files.readAllBytes(p(path)), StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public String readlink(String path) {
                try {
                    return Files.readSymbolicLink(p(path)).toString();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }
}
