package ksim.fs.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** status's Umask line is printed without a Formatter: it must still be "%04o" for every mask. */
class TaskStatusUmaskTest {
    @Test
    void everyMaskPrintsLikeFourOctalDigits() {
        for (int m = 0; m <= 07777; m++) assertEquals(String.format("%04o", m), TaskStatus.umask(m), "mask " + m);
    }
}
