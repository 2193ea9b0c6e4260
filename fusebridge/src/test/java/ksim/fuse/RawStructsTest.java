package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.Struct;
import ksim.fs.InodeAttr;
import org.junit.jupiter.api.Test;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;

/** What RawStructs writes in place reads back the same through jnr-fuse's own struct wrappers. */
class RawStructsTest {
    @Test
    void statWrittenInPlaceReadsBackThroughFileStat() {
        String arch = System.getProperty("os.arch");
        if (arch.equals("amd64") || arch.equals("x86_64")) assertTrue(RawStructs.STAT_OK, "x86_64 layout recognised");
        if (!RawStructs.STAT_OK) return;
        Runtime rt = Runtime.getSystemRuntime();
        Pointer mem = Memory.allocateDirect(rt, Struct.size(new FileStat(rt)));
        InodeAttr a = new InodeAttr(123456789L, 0100644, 3, 70000, 70001, (5L << 30) + 7, 1_234_567_890_123_456_789L,
                1_000_000_000_000_000_001L, 1_700_000_000_999_999_999L, 4242, (300L << 8) | 70, 4096);
        RawStructs.fillStat(mem, a);
        FileStat st = FileStat.of(mem);
        assertEquals(a.ino(), st.st_ino.longValue());
        assertEquals(a.mode(), st.st_mode.intValue());
        assertEquals(a.nlink(), st.st_nlink.intValue());
        assertEquals(a.uid(), st.st_uid.intValue());
        assertEquals(a.gid(), st.st_gid.intValue());
        assertEquals(a.size(), st.st_size.longValue());
        assertEquals(a.blocks(), st.st_blocks.longValue());
        assertEquals(a.blksize(), st.st_blksize.intValue());
        assertEquals(a.rdev(), st.st_rdev.longValue());
        assertEquals(1_234_567_890L, st.st_mtim.tv_sec.longValue());
        assertEquals(123_456_789L, st.st_mtim.tv_nsec.longValue());
        assertEquals(1_000_000_000L, st.st_atim.tv_sec.longValue());
        assertEquals(1L, st.st_atim.tv_nsec.longValue());
        assertEquals(999_999_999L, st.st_ctim.tv_nsec.longValue());
    }

    @Test
    void fileInfoFieldsMatchFuseFileInfo() {
        assertTrue(RawStructs.fileInfoOk());
        Pointer mem = Memory.allocateDirect(Runtime.getSystemRuntime(), 256);
        FuseFileInfo fi = FuseFileInfo.of(mem);
        fi.flags.set(0x8241);
        RawStructs.setFh(mem, 0x1234_5678_9abcL);
        assertEquals(0x1234_5678_9abcL, fi.fh.get());
        assertEquals(0x8241, RawStructs.flags(mem));
    }
}
