package ksim.kernel;

import static ksim.kernel.TestKernels.boot;
import static ksim.kernel.TestKernels.byComm;
import static ksim.kernel.TestKernels.spawnSmall;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import ksim.mm.Program;
import org.junit.jupiter.api.Test;

/** task->comm: TASK_COMM_LEN - 1 raw bytes (__set_task_comm, prctl(PR_SET_NAME), exec). */
class CommTest {

    @Test
    void journaldIsTruncatedTo15Bytes() {
        Kernel k = boot();
        assertTrue(TestKernels.allByComm(k, "systemd-journald").isEmpty());
        Task j = byComm(k, "systemd-journal");
        assertEquals(15, j.comm().length);
        assertEquals("/usr/lib/systemd/systemd-journald", j.mm().exeFile(), "the exe keeps the full name");
    }

    @Test
    void setCommTruncatesAndStopsAtNul() {
        Kernel k = boot();
        Task t = spawnSmall(k, "x");
        k.setComm(t, "systemd-journald".getBytes(StandardCharsets.US_ASCII));
        assertEquals("systemd-journal", t.commString());
        k.setComm(t, "0123456789abcdefghij".getBytes(StandardCharsets.US_ASCII));
        assertEquals("0123456789abcde", t.commString());
        k.setComm(t, "ab\0cd".getBytes(StandardCharsets.US_ASCII));
        assertEquals("ab", t.commString());
        k.setComm(t, new byte[0]);
        assertEquals(0, t.comm().length);
        k.setComm(t, "exactly15bytes!".getBytes(StandardCharsets.US_ASCII));
        assertEquals("exactly15bytes!", t.commString());
    }

    @Test
    void commKeepsSpacesParenthesesAndArbitraryBytesRaw() {
        Kernel k = boot();
        Task odd = byComm(k, "weird) (name");
        assertArrayEquals("weird) (name".getBytes(StandardCharsets.US_ASCII), odd.comm());
        Task t = spawnSmall(k, "x");
        byte[] raw = {'a', ' ', ')', '\n', '\\', (byte) 0xff};
        k.setComm(t, raw);
        assertArrayEquals(raw, t.comm());
    }

    @Test
    void truncationCountsBytesNotChars() {
        Kernel k = boot();
        Task t = spawnSmall(k, "x");
        // 8 two-byte characters: 16 bytes, so the last character is cut in half.
        String s = "éééééééé";
        k.setComm(t, s.getBytes(StandardCharsets.UTF_8));
        assertEquals(15, t.comm().length);
    }

    @Test
    void commReturnsACopy() {
        Kernel k = boot();
        Task t = byComm(k, "cron");
        byte[] c = t.comm();
        c[0] = 'X';
        assertEquals("cron", t.commString());
    }

    @Test
    void execSetsCommToTheTruncatedBasename() {
        Kernel k = boot();
        Task t = k.spawn(k.initTask(), Program.small("/opt/tools/a-very-long-program-name", 100, 200, 1),
                List.of("prog"), List.of(), Cred.ROOT);
        assertEquals("a-very-long-pro", t.commString());
        k.execve(t, Program.small("/bin/sh", 100, 200, 1), List.of("sh"), List.of());
        assertEquals("sh", t.commString());
    }

    @Test
    void threadsHaveTheirOwnComm() {
        Kernel k = boot();
        Task rs = byComm(k, "rsyslogd");
        Task th = k.cloneThread(rs, "a thread name that is long");
        assertEquals("a thread name t", th.commString());
        k.setComm(th, "renamed".getBytes(StandardCharsets.US_ASCII));
        assertEquals("rsyslogd", rs.commString(), "renaming a thread leaves the leader alone");
        assertEquals("rs:main Q:Reg", byComm(k, "rs:main Q:Reg").commString());
    }
}
