package ksim.cli;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import ksim.fs.ext2.Ext2Mkfs;
import ksim.kernel.KernelError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ksim mkfs.ext2: an ext2 image as mkfs.ext2 would make it with the stock mke2fs.conf. */
@Command(name = "mkfs.ext2", mixinStandardHelpOptions = true,
        description = "Create (or overwrite) IMAGE as an ext2 filesystem of SIZE bytes, laid out as "
                + "mkfs.ext2 does with its default configuration.")
final class MkfsExt2Command implements Callable<Integer> {
    @Parameters(index = "0", description = "The image file (created or truncated).")
    Path image;

    @Parameters(index = "1", description = "Size in bytes, or with a K, M, G or T suffix (powers of 1024).")
    String size;

    @Option(names = "-b", description = "Block size: 1024, 2048, 4096 ... (default: by size, as mke2fs).")
    int blockSize;

    @Option(names = "-I", description = "Inode size (default: 256).")
    int inodeSize;

    @Option(names = "-L", description = "Volume label.")
    String label;

    @Option(names = "-U", description = "Filesystem UUID (default: random).")
    UUID uuid;

    @Option(names = "-O", description = "Features; only ^dir_index (turn directory indexing off) is understood.")
    String features;

    @Option(names = "-E", description = "Extended options; only hash_seed=UUID is understood.")
    String extended;

    @Option(names = "-q", description = "Quiet: print nothing.")
    boolean quiet;

    static long parseSize(String s) {
        String t = s.trim().toUpperCase();
        long mult = 1;
        char last = t.charAt(t.length() - 1);
        int shift = "KMGT".indexOf(last);
        if (shift >= 0) {
            mult = 1L << (10 * (shift + 1));
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }

    @Override
    public Integer call() {
        long bytes;
        try {
            bytes = parseSize(size);
        } catch (RuntimeException e) {
            System.err.println("ksim: mkfs.ext2: invalid size '" + size + "'");
            return 1;
        }
        boolean dirIndex = true;
        if (features != null) {
            for (String f : features.split(",")) {
                if (f.equals("^dir_index")) dirIndex = false;
                else if (!f.equals("dir_index")) {
                    System.err.println("ksim: mkfs.ext2: unsupported feature request '" + f + "'");
                    return 1;
                }
            }
        }
        UUID seed = null;
        if (extended != null) {
            for (String e : extended.split(",")) {
                if (e.startsWith("hash_seed=")) seed = UUID.fromString(e.substring(10));
                else {
                    System.err.println("ksim: mkfs.ext2: unsupported extended option '" + e + "'");
                    return 1;
                }
            }
        }
        Ext2Mkfs.Params p = Ext2Mkfs.Params.of(bytes).withBlockSize(blockSize).withInodeSize(inodeSize)
                .withDirIndex(dirIndex).withLabel(label).withIds(uuid, seed);
        try {
            Ext2Mkfs.Result r = Ext2Mkfs.make(image, p);
            if (!quiet) {
                System.out.printf("Creating filesystem with %d %dk blocks and %d inodes%n", r.blocks(), r.blockSize() / 1024, r.inodes());
                System.out.printf("%d block groups of %d blocks and %d inodes each%n", r.groups(), r.blocksPerGroup(), r.inodesPerGroup());
                if (!r.backups().isEmpty()) {
                    StringBuilder sb = new StringBuilder();
                    for (long b : r.backups()) sb.append(sb.length() == 0 ? "" : ", ").append(b);
                    System.out.println("Superblock backups stored on blocks: " + sb);
                }
            }
            return 0;
        } catch (KernelError e) {
            System.err.println("ksim: mkfs.ext2: " + e.getMessage());
            return 1;
        }
    }
}
