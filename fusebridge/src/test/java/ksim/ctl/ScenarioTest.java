package ksim.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import ksim.kernel.Task;
import ksim.kernel.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenario files: the protocol's lines replayed at boot, stopping at the first err. */
class ScenarioTest {
    @TempDir
    Path tmp;

    private static Kernel boot() {
        return Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(1_700_000_000_000L));
    }

    private static Task only(Kernel k, String comm) {
        return k.locked(() -> k.pids().allTasks().stream().filter(t -> t.commString().equals(comm)).reduce((a, b) -> {
            throw new AssertionError("two " + comm);
        }).orElseThrow());
    }

    @Test
    void aScenarioBuildsItsWorld() throws Exception {
        Kernel k = boot();
        int shell = k.locked(() -> k.pids().lastPid() + 1); // the pid the first spawn will get
        Path f = tmp.resolve("world.ksim");
        Files.writeString(f, String.join("\n",
                "# a shell with a stopped job and a zombie",
                "",
                "spawn --comm shell --state S --wchan do_wait",
                "spawn --parent " + shell + " --comm job --state T",
                "spawn --parent " + shell + " --comm dead --state Z",
                "spawn --count 3 --parent " + shell + " --comm worker --json",
                "tick 250",
                ""));
        assertEquals(5, Scenario.replay(k, f));
        assertEquals(TaskState.STOPPED, only(k, "job").state());
        assertEquals(TaskState.ZOMBIE, only(k, "dead").state());
        assertEquals("do_wait", only(k, "shell").wchan());
        assertEquals(3L, k.locked(() -> k.pids().allTasks().stream().filter(t -> t.commString().equals("worker")).count()));
    }

    @Test
    void theFirstErrStopsTheReplayAndSaysWhere() throws Exception {
        Path f = tmp.resolve("bad.ksim");
        Files.writeString(f, "spawn --comm first\n# fine so far\nkill -STOP 99999\nspawn --comm never\n");
        Kernel k = boot();
        Scenario.Failed e = assertThrows(Scenario.Failed.class, () -> Scenario.replay(k, f));
        assertTrue(e.getMessage().startsWith(f + " line 3: kill -STOP 99999\n  -> err ESRCH "), e.getMessage());
        assertEquals(0L, k.locked(() -> k.pids().allTasks().stream().filter(t -> t.commString().equals("never")).count()));
        assertEquals(1L, k.locked(() -> k.pids().allTasks().stream().filter(t -> t.commString().equals("first")).count()));
    }
}
