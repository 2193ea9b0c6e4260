package ksim.fs.proc;

import static ksim.fs.proc.Proc.errnoOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import ksim.fs.Caller;
import ksim.fs.Mode;
import ksim.fs.OpenFlags;
import ksim.kernel.Errno;
import ksim.kernel.Task;
import ksim.mm.MmStruct;
import ksim.mm.Vma;
import org.junit.jupiter.api.Test;

/** /proc/<pid>/maps: show_map_vma() lines, in Linux's exact layout. */
class MapsTest {
    /** start-end perms offset major:minor inode, a space, then the name from column 73 if there is one. */
    private static final Pattern LINE = Pattern.compile(
            "^[0-9a-f]{8,16}-[0-9a-f]{8,16} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} [0-9]+ (?: *(\\S.*))?$");
    /** The gate line as a 6.18 kernel prints it. */
    static final String VSYSCALL_LINE =
            "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";
    private final Proc p = Proc.boot();

    private List<Task> processes() {
        return p.k.locked(() -> {
            List<Task> l = new ArrayList<>();
            for (Task t : p.k.pids().leaders()) if (t.mm() != null) l.add(t);
            return l;
        });
    }

    @Test
    void everyLineHasTheKernelsLayout() {
        for (Task t : processes()) {
            String maps = p.read("/" + t.pid() + "/maps");
            assertTrue(maps.endsWith("\n"));
            List<String> lines = List.of(maps.split("\n"));
            MmStruct mm = t.mm();
            assertEquals(mm.mapCount() + 1, lines.size(), "one line per VMA and the gate page");
            int i = 0;
            for (Vma v : p.k.locked(() -> List.copyOf(mm.vmas()))) {
                String line = lines.get(i++);
                assertTrue(LINE.matcher(line).matches(), "[" + line + "]");
                assertTrue(line.startsWith(String.format("%08x-%08x ", v.start(), v.end())), line);
                String name = line.length() > 73 ? line.substring(73) : "";
                if (!name.isEmpty()) {
                    assertEquals(' ', line.charAt(72), "the name starts at column 73: " + line);
                    assertTrue(line.charAt(73) != ' ', line);
                } else {
                    assertTrue(line.endsWith(" 0 "), "an unnamed anonymous mapping ends with the inode 0 and a space: [" + line + "]");
                }
                if (v.file() != null) assertEquals(v.file().displayName(), name);
            }
            assertEquals(VSYSCALL_LINE, lines.get(lines.size() - 1));
        }
    }

    @Test
    void heapStackAndSpecialMappingsAreNamed() {
        Task bash = p.byComm("bash");
        String maps = p.read("/" + bash.pid() + "/maps");
        for (String name : List.of("[heap]", "[stack]", "[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]")) {
            assertEquals(1, maps.lines().filter(l -> l.endsWith(" " + name)).count(), name + " once in\n" + maps);
        }
        String heap = maps.lines().filter(l -> l.endsWith("[heap]")).findFirst().orElseThrow();
        assertTrue(heap.contains(" rw-p 00000000 00:00 0 "), heap);
        String text = maps.lines().filter(l -> l.contains(" r-xp ") && l.endsWith("/usr/bin/bash")).findFirst().orElseThrow();
        assertTrue(text.matches("^[0-9a-f]{12}-[0-9a-f]{12} r-xp [0-9a-f]{8} fe:01 [0-9]+ +/usr/bin/bash$"), text);
        assertEquals(5, maps.lines().filter(l -> l.endsWith("/libc.so.6")).count(), "libc's five segments");
    }

    @Test
    void threadsShowTheirProcesssMapsAndKernelThreadsNone() {
        Task rs = p.byComm("rsyslogd");
        String maps = p.read("/" + rs.pid() + "/maps");
        for (Task th : rs.signal().threads()) {
            assertEquals(maps, p.read("/" + rs.pid() + "/task/" + th.pid() + "/maps"));
            assertEquals(p.read("/" + rs.pid() + "/smaps"), p.read("/" + rs.pid() + "/task/" + th.pid() + "/smaps"));
        }
        Task kswapd = p.byComm("kswapd0");
        assertEquals("", p.read("/" + kswapd.pid() + "/maps"));
        assertEquals("", p.read("/" + kswapd.pid() + "/smaps"));
        assertEquals(Errno.ESRCH, errnoOf(() -> p.read("/" + kswapd.pid() + "/smaps_rollup")), "nothing to roll up");
    }

    @Test
    void modesAndPtraceAccess() {
        Task rs = p.byComm("rsyslogd");
        Task th = rs.signal().threads().get(1);
        for (String dir : List.of("/" + rs.pid(), "/" + rs.pid() + "/task/" + th.pid())) {
            assertTrue(p.list(dir).containsAll(List.of("maps", "smaps", "smaps_rollup")), dir);
            for (String f : List.of("maps", "smaps", "smaps_rollup")) {
                assertEquals(Mode.S_IFREG | 0444, p.walk(dir + "/" + f).getattr().mode(), dir + "/" + f);
            }
        }
        Caller alice = new Caller(0, 1000, 1000);
        Task bash = p.byComm("bash");
        p.walk("/" + bash.pid() + "/maps", alice).open(OpenFlags.O_RDONLY, alice);
        assertEquals(Errno.EACCES, errnoOf(() -> p.walk("/1/maps", alice).open(OpenFlags.O_RDONLY, alice)),
                "another user's memory map needs ptrace rights");
        assertEquals(Errno.EACCES, errnoOf(() -> p.walk("/1/smaps_rollup", alice).open(OpenFlags.O_RDONLY, alice)));
        p.walk("/" + p.byComm("kswapd0").pid() + "/maps", alice).open(OpenFlags.O_RDONLY, alice);
    }

    @Test
    void sizesAddUpToVmSize() {
        for (Task t : processes()) {
            long sum = 0;
            for (String l : p.read("/" + t.pid() + "/maps").split("\n")) {
                if (l.equals(VSYSCALL_LINE)) continue;
                String range = l.substring(0, l.indexOf(' '));
                sum += Long.parseLong(range.split("-")[1], 16) - Long.parseLong(range.split("-")[0], 16);
            }
            assertEquals(Proc.kb(p.field("/" + t.pid() + "/status", "VmSize")), sum / 1024, "pid " + t.pid());
        }
    }
}
