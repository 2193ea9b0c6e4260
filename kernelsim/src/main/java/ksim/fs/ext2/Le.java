package ksim.fs.ext2;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Little-endian fields in on-disk structures (le16_to_cpu, le32_to_cpu and their inverses). */
final class Le {
    private static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private Le() {}

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return (short) I16.get(b, off) & 0xffff;
    }

    static short s16(byte[] b, int off) {
        return (short) I16.get(b, off);
    }

    /** A 32-bit field as a Java int (callers that need it unsigned use u32). */
    static int i32(byte[] b, int off) {
        return (int) I32.get(b, off);
    }

    static long u32(byte[] b, int off) {
        return (int) I32.get(b, off) & 0xffffffffL;
    }

    static long u64(byte[] b, int off) {
        return (long) I64.get(b, off);
    }

    static void put8(byte[] b, int off, int v) {
        b[off] = (byte) v;
    }

    static void put16(byte[] b, int off, int v) {
        I16.set(b, off, (short) v);
    }

    static void put32(byte[] b, int off, long v) {
        I32.set(b, off, (int) v);
    }

    static void put64(byte[] b, int off, long v) {
        I64.set(b, off, v);
    }
}
