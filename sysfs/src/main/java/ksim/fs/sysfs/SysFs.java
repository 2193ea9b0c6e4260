package ksim.fs.sysfs;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import ksim.fs.FileSystems;
import ksim.fs.Inode;
import ksim.fs.InodeAttr;
import ksim.fs.Mode;
import ksim.fs.ShowFile;
import ksim.fs.SimpleDir;
import ksim.fs.SuperBlock;
import ksim.kernel.CpuMask;
import ksim.kernel.Kernel;

/**
 * The sysfs filesystem (fs/sysfs/): for now the CPU and NUMA topology under
 * /sys/devices/system that procps (through libnuma) and top read. Attributes report st_size
 * 4096, as sysfs does, and end with a newline.
 */
public final class SysFs implements SuperBlock {
    /** PAGE_SIZE: what stat() says of every sysfs attribute. */
    private static final int ATTR_SIZE = 4096;
    private final Kernel kernel;
    private final SimpleDir root;
    private long nextIno = 2;

    public SysFs(Kernel kernel) {
        this.kernel = kernel;
        kernel.filesystems().register(new FileSystems.Type("sysfs", false));
        long t = kernel.clock().bootEpochNanos();
        root = new SimpleDir(1, 1, t);
        SimpleDir devices = dir(root.getattr().ino());
        SimpleDir system = dir(devices.getattr().ino());
        SimpleDir cpu = dir(system.getattr().ino());
        SimpleDir node = dir(system.getattr().ino());
        int cpus = kernel.config().cpus();
        String list = CpuMask.list(cpus);
        for (String name : new String[] {"online", "possible", "present"}) cpu.add(name, attr(() -> list));
        cpu.add("isolated", attr(() -> ""));
        for (int i = 0; i < cpus; i++) {
            SimpleDir c = dir(cpu.getattr().ino());
            SimpleDir topology = dir(c.getattr().ino());
            final int id = i;
            topology.add("core_id", attr(() -> Integer.toString(id)));
            topology.add("physical_package_id", attr(() -> "0"));
            topology.add("core_cpus_list", attr(() -> Integer.toString(id)));
            topology.add("thread_siblings_list", attr(() -> Integer.toString(id)));
            c.add("topology", topology);
            cpu.add("cpu" + i, c);
        }
        node.add("online", attr(() -> "0")).add("possible", attr(() -> "0"));
        SimpleDir node0 = dir(node.getattr().ino());
        node0.add("cpumap", attr(() -> CpuMask.mask(cpus)));
        node0.add("cpulist", attr(() -> list));
        node0.add("meminfo", show(() -> NodeMeminfo.meminfo(kernel)));
        node0.add("vmstat", show(() -> NodeMeminfo.vmstat(kernel)));
        node.add("node0", node0);
        system.add("cpu", cpu).add("node", node);
        devices.add("system", system);
        root.add("devices", devices);
        for (String name : new String[] {"kernel", "fs", "class", "bus", "block"}) root.add(name, dir(1));
        SimpleDir kernelDir = (SimpleDir) root.children().get("kernel");
        kernelDir.add("slab", new ksim.fs.sysfs.slab.SlabRoot(kernel, nextIno++, kernelDir.getattr().ino()));
    }

    private SimpleDir dir(long parent) {
        return new SimpleDir(nextIno++, parent, kernel.clock().bootEpochNanos());
    }

    private Inode attr(Supplier<String> value) {
        return show(() -> (value.get() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private Inode show(Supplier<byte[]> show) {
        InodeAttr a = new InodeAttr(nextIno++, Mode.S_IFREG | 0444, 1, 0, 0, ATTR_SIZE, kernel.clock().bootEpochNanos());
        return new ShowFile(a, () -> kernel.locked(show), null, null);
    }

    @Override
    public String type() {
        return "sysfs";
    }

    /**
     * No attribute's owner or mode changes, and the only part of the tree that changes shape,
     * /sys/kernel/slab, is invalidated when it does: cache freely.
     */
    @Override
    public int cacheSeconds() {
        return 60;
    }

    /** A slab cache created or destroyed drops the cached entries under /sys/kernel. */
    @Override
    public void setInvalidator(ksim.fs.EntryInvalidator invalidator) {
        kernel.slub().addLayoutListener(() -> invalidator.invalidate("/", "kernel"));
    }

    @Override
    public Inode root() {
        return root;
    }
}
