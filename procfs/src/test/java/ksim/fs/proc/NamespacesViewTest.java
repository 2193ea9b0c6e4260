package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import ksim.fs.Mode;
import ksim.kernel.Cred;
import ksim.kernel.Errno;
import ksim.kernel.ProcNsOperations;
import ksim.kernel.Syscalls;
import ksim.kernel.Task;
import ksim.mm.Program;
import org.junit.jupiter.api.Test;

/** /proc/<pid>/ns: links in ns_entries[] order, their text, and the inode their text leads to. */
class NamespacesViewTest {
    private final Proc p = Proc.boot();

    @Test
    void everyTaskShowsTheInitialNamespacesAndTheLinkTextLeadsToTheirInode() {
        List<String> names = new ArrayList<>();
        for (ProcNsOperations ns : ProcNsOperations.values()) names.add(ns.name);
        Task bash = p.byComm("bash");
        for (String dir : List.of("/1/ns", "/" + bash.pid() + "/ns", "/" + bash.pid() + "/task/" + bash.pid() + "/ns", "/2/ns")) {
            assertEquals(names, p.list(dir), dir);
            assertEquals(Mode.S_IFDIR | 0511, p.walk(dir).getattr().mode());
            for (ProcNsOperations ns : ProcNsOperations.values()) {
                String text = p.readlink(dir + "/" + ns.name, ksim.fs.Caller.KERNEL);
                assertEquals(ns.type + ":[" + ns.inum + "]", text);
                var target = p.walk(dir + "/" + text).getattr();
                assertEquals(ns.inum, target.ino(), "st_ino of what " + dir + "/" + ns.name + " leads to");
                assertEquals(Mode.S_IFREG | 0444, target.mode());
                assertEquals(0, target.size());
            }
        }
        assertEquals("pid:[4026531836]", p.readlink("/1/ns/pid", ksim.fs.Caller.KERNEL), "6.18's PROC_PID_INIT_INO");
        assertEquals(Errno.ENOENT, Proc.errnoOf(() -> p.walk("/1/ns/pid:[4026531837]")), "only the namespace's own inode number");
        assertEquals(Errno.ENOENT, Proc.errnoOf(() -> p.walk("/1/ns/nope")));
    }

    @Test
    void aZombieKeepsOnlyItsPidAndUserNamespaces() {
        Syscalls sys = new Syscalls(p.k);
        Task c = p.k.locked(() -> sys.spawn(p.k.initTask(), Program.small("/usr/bin/z", 80, 400, 3), List.of("z"), List.of(), Cred.of(1000, 1000)));
        Task parent = p.k.locked(() -> sys.spawn(p.k.initTask(), Program.small("/usr/bin/p", 80, 400, 3), List.of("p"), List.of(), Cred.of(1000, 1000)));
        Task z = p.k.locked(() -> sys.spawn(parent, Program.small("/usr/bin/z", 80, 400, 3), List.of("z"), List.of(), Cred.of(1000, 1000)));
        p.k.locked(() -> sys.exitGroup(z, 0));
        String dir = "/" + z.pid() + "/ns/";
        assertEquals(ProcNsOperations.PID.linkText(), p.readlink(dir + "pid", ksim.fs.Caller.KERNEL));
        assertEquals(ProcNsOperations.USER.linkText(), p.readlink(dir + "user", ksim.fs.Caller.KERNEL));
        for (String gone : List.of("net", "mnt", "pid_for_children", "uts")) {
            assertEquals(Errno.ENOENT, Proc.errnoOf(() -> p.readlink(dir + gone, ksim.fs.Caller.KERNEL)), gone);
        }
        assertEquals(Errno.ENOENT, Proc.errnoOf(() -> p.walk(dir + ProcNsOperations.MNT.linkText())));
        assertEquals(ProcNsOperations.MNT.linkText(), p.readlink("/" + c.pid() + "/ns/mnt", ksim.fs.Caller.KERNEL), "a live one keeps all");
        p.k.locked(() -> sys.reap(z, false));
        assertEquals(Errno.ENOENT, Proc.errnoOf(() -> p.walk(dir + "pid")));
    }
}
