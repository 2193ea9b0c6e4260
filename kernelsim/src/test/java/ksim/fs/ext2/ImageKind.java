package ksim.fs.ext2;

import java.nio.file.Path;

/** The images the tests run on: mke2fs with its defaults and the variants the issue names, and ksim's mkfs. */
enum ImageKind {
    MKE2FS_DEFAULT, MKE2FS_1K, MKE2FS_INODE128, MKE2FS_NO_DIR_INDEX, MKE2FS_4K, KSIM_MKFS;

    Path make(Path dir, int mib) throws Exception {
        String name = name().toLowerCase() + ".img";
        return switch (this) {
            case MKE2FS_DEFAULT -> Images.mke2fs(dir, name, mib);
            case MKE2FS_1K -> Images.mke2fs(dir, name, mib, "-b", "1024");
            case MKE2FS_INODE128 -> Images.mke2fs(dir, name, mib, "-I", "128");
            case MKE2FS_NO_DIR_INDEX -> Images.mke2fs(dir, name, mib, "-O", "^dir_index");
            case MKE2FS_4K -> Images.mke2fs(dir, name, mib, "-b", "4096");
            case KSIM_MKFS -> Images.ksimMkfs(dir, name, mib);
        };
    }
}
