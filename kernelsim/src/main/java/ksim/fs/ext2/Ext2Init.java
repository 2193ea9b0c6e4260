package ksim.fs.ext2;

import java.nio.file.Path;
import java.util.List;
import ksim.fs.FileSystems;
import ksim.fs.MntNamespace;
import ksim.fs.VfsSlab;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import ksim.mm.slub.Ctor;
import ksim.mm.slub.SlabFlags;
import ksim.mm.slub.Slub;

/**
 * init_ext2_fs (fs/ext2/super.c): init_inodecache's ext2_inode_cache, then
 * register_filesystem, so that ext2 images can be mounted in the running kernel.
 */
public final class Ext2Init {
    /**
     * sizeof(struct ext2_inode_info) on x86-64 with xattrs and quota: 184 bytes of ext2 fields
     * and locks before the embedded struct inode (616, the size of inode_cache's objects),
     * then i_orphan (16) and i_dquot[3] (24).
     */
    public static final int EXT2_INODE_INFO_SIZE = 840;
    /** usercopy region: i_data[15] at offset 0 (kmem_cache_create_usercopy). */
    static final int I_DATA_SIZE = 60;

    private Ext2Init() {}

    public static void init(Kernel k) {
        k.locked(() -> k.slub().create("ext2_inode_cache", EXT2_INODE_INFO_SIZE,
                new Slub.Args(0, 0, I_DATA_SIZE, -1, 0, new Ctor("init_once", Ctor.DEFAULT_SIZE, null)),
                SlabFlags.RECLAIM_ACCOUNT | SlabFlags.ACCOUNT));
        k.filesystems().register(new FileSystems.Type("ext2", true));
        k.mounts().registerType("ext2", new MntNamespace.FsType() {
            @Override
            public String inodeCache() {
                return "ext2_inode_cache";
            }

            @Override
            public MntNamespace.Filled fill(String source, boolean readOnly, List<String> options, VfsSlab slab) {
                boolean xattr = false;
                for (String o : options) {
                    if (o.equals("user_xattr")) xattr = true;
                    else if (o.equals("nouser_xattr")) xattr = false;
                    else throw Errno.EINVAL.error("EXT2-fs: Unrecognized mount option \"" + o + "\" or missing value");
                }
                Ext2Fs fs = Ext2Fs.mount(Path.of(source), Ext2Fs.Options.defaults().withReadOnly(readOnly).withXattr(xattr)
                        .withSeed(k.config().seed()));
                fs.setSlab(slab);
                return new MntNamespace.Filled(fs, xattr ? ",user_xattr" : "");
            }
        });
    }
}
