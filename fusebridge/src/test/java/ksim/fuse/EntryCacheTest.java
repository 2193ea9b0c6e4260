package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import ksim.kernel.PreforkPool;
import ksim.kernel.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * procfs entries are cached by the host kernel; a released task's directory must still vanish
 * at once, and a new task with a recycled pid must show its own owner.
 */
class EntryCacheTest {
    static MountedKernel mk;

    @BeforeAll
    static void up() throws Exception {
        mk = MountedKernel.start();
    }

    @AfterAll
    static void down() throws Exception {
        if (mk != null) mk.close();
    }

    /** Waits (bounded) for the asynchronous invalidation to reach the host kernel. */
    private static boolean goneWithin(Path p, long ms) throws InterruptedException {
        long end = System.nanoTime() + ms * 1_000_000;
        while (System.nanoTime() < end) {
            if (!Files.exists(p)) return true;
            Thread.onSpinWait();
        }
        return !Files.exists(p);
    }

    @Test
    void releasedTaskVanishesDespiteCaching() throws Exception {
        Task master = PreforkPool.start(mk.kernel, 3);
        Task worker = mk.kernel.locked(() -> master.children().get(0));
        Path dir = mk.proc().resolve(Integer.toString(worker.pid()));
        assertTrue(Files.isDirectory(dir));
        assertEquals(33, Files.getAttribute(dir, "unix:uid"));
        String stat = Files.readString(dir.resolve("stat"));
        assertTrue(stat.startsWith(worker.pid() + " (nginx) S"));
        mk.kernel.locked(() -> mk.kernel.exitAndRelease(worker, 0));
        assertThrows(NoSuchFileException.class, () -> Files.readString(dir.resolve("status")), "open after exit");
        assertTrue(goneWithin(dir, 2000), "the cached entry of a released task is invalidated");
        assertFalse(Files.exists(dir.resolve("stat")));
    }
}
