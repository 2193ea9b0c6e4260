package ksim.fs.ext2;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import ksim.kernel.Errno;

/**
 * mkfs.ext2: the filesystem mke2fs makes with the stock /etc/mke2fs.conf (e2fsprogs misc/mke2fs.c,
 * lib/ext2fs/initialize.c, res_gdt.c, mkdir.c): size class (floppy/small/default/big/huge)
 * choosing block size and inode ratio, 256-byte inodes, geometry with the last group dropped
 * when too small for its metadata, sparse superblock backups, reserved descriptor blocks owned
 * by the resize inode, the root directory and a lost+found of 16 KiB (at most 12 blocks).
 * The image is truncated first, so every block not written here reads as zeros.
 */
public final class Ext2Mkfs {
    /** What to make; zero/null fields take mke2fs's defaults. */
    public record Params(long sizeBytes, int blockSize, int inodeSize, long inodeRatio, double reservedPercent,
                         boolean dirIndex, String label, UUID uuid, UUID hashSeed, long timeSec) {
        public static Params of(long sizeBytes) {
            return new Params(sizeBytes, 0, 0, 0, 5.0, true, null, null, null, 0);
        }

        public Params withBlockSize(int b) {
            return new Params(sizeBytes, b, inodeSize, inodeRatio, reservedPercent, dirIndex, label, uuid, hashSeed, timeSec);
        }

        public Params withInodeSize(int i) {
            return new Params(sizeBytes, blockSize, i, inodeRatio, reservedPercent, dirIndex, label, uuid, hashSeed, timeSec);
        }

        public Params withDirIndex(boolean d) {
            return new Params(sizeBytes, blockSize, inodeSize, inodeRatio, reservedPercent, d, label, uuid, hashSeed, timeSec);
        }

        public Params withLabel(String l) {
            return new Params(sizeBytes, blockSize, inodeSize, inodeRatio, reservedPercent, dirIndex, l, uuid, hashSeed, timeSec);
        }

        public Params withIds(UUID u, UUID seed) {
            return new Params(sizeBytes, blockSize, inodeSize, inodeRatio, reservedPercent, dirIndex, label, u, seed, timeSec);
        }

        public Params withTime(long t) {
            return new Params(sizeBytes, blockSize, inodeSize, inodeRatio, reservedPercent, dirIndex, label, uuid, hashSeed, t);
        }
    }

    /** The geometry mkfs settled on, for the summary it prints. */
    public record Result(int blockSize, long blocks, long inodes, int groups, int blocksPerGroup, int inodesPerGroup,
                         List<Long> backups) {}

    private Ext2Mkfs() {}

    public static Result make(Path image, Params p) {
        Layout l = Layout.plan(p);
        TreeMap<Long, byte[]> blocks = l.build();
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            ch.truncate(0);
            for (var e : blocks.entrySet()) {
                ByteBuffer b = ByteBuffer.wrap(e.getValue());
                long pos = e.getKey() * l.bs;
                while (b.hasRemaining()) pos += ch.write(b, pos);
            }
            if (ch.size() < p.sizeBytes()) {
                ch.write(ByteBuffer.wrap(new byte[1]), p.sizeBytes() - 1);
            }
            ch.force(true);
        } catch (IOException e) {
            throw Errno.EIO.error("writing " + image + ": " + e.getMessage());
        }
        List<Long> backups = new ArrayList<>();
        for (int g = 1; g < l.groups; g++) if (Ext2Layout.bgHasSuper(g, true)) backups.add(l.groupFirst(g));
        return new Result(l.bs, l.blocks, l.inodes, l.groups, l.bpg, l.ipg, backups);
    }

    /** The computed layout and the contents of every non-zero block. */
    private static final class Layout {
        int bs;
        long blocks;
        long rBlocks;
        long firstData;
        int bpg;
        int groups;
        int descBlocks;
        int ipg;
        long inodes;
        int isize;
        int itb;
        int rsvGdt;
        Params p;
        long now;
        long[] blockBitmap;
        long[] inodeBitmap;
        long[] inodeTable;
        int[] usedBlocks;

        long groupFirst(int g) {
            return firstData + (long) g * bpg;
        }

        int groupBlocks(int g) {
            return g == groups - 1 ? (int) (blocks - groupFirst(g)) : bpg;
        }

        static Layout plan(Params p) {
            Layout l = new Layout();
            l.p = p;
            l.now = p.timeSec() != 0 ? p.timeSec() : System.currentTimeMillis() / 1000;
            long size = p.sizeBytes();
            long mib = 1024 * 1024;
            // size classes of mke2fs.conf
            int bs;
            long ratio;
            if (size < 3 * mib) { bs = 1024; ratio = 8192; }
            else if (size < 512 * mib) { bs = 1024; ratio = 4096; }
            else if (size < 4L * 1024 * 1024 * mib) { bs = 4096; ratio = 16384; }
            else if (size < 16L * 1024 * 1024 * mib) { bs = 4096; ratio = 32768; }
            else { bs = 4096; ratio = 65536; }
            if (p.blockSize() != 0) bs = p.blockSize();
            if (bs < 1024 || bs > 65536 || (bs & (bs - 1)) != 0) throw Errno.EINVAL.error("invalid block size " + bs);
            if (p.inodeRatio() != 0) ratio = p.inodeRatio();
            if (ratio < bs) ratio = bs;
            l.isize = p.inodeSize() != 0 ? p.inodeSize() : 256;
            if (l.isize < 128 || l.isize > bs || (l.isize & (l.isize - 1)) != 0) throw Errno.EINVAL.error("invalid inode size " + l.isize);
            l.bs = bs;
            l.blocks = size / bs;
            if (l.blocks > 0xffffffffL) throw Errno.EFBIG.error("too many blocks for ext2 without 64bit");
            l.firstData = bs == 1024 ? 1 : 0;
            l.bpg = bs * 8;
            l.rBlocks = (long) (p.reservedPercent() * l.blocks / 100.0);
            long inodeParam = l.blocks * bs / ratio;
            l.initialize(inodeParam);
            return l;
        }

        /** ext2fs_initialize's geometry loop. */
        private void initialize(long inodeParam) {
            for (;;) {
                if (blocks <= firstData) throw Errno.EINVAL.error("device too small");
                groups = (int) ((blocks - firstData + bpg - 1) / bpg);
                descBlocks = (groups + bs / 32 - 1) / (bs / 32);
                long want = Math.max(inodeParam, 12);
                long perGroup = (want + groups - 1) / groups;
                if (perGroup > (long) bs * 8) {
                    if (bpg >= 256) {
                        bpg -= 8;
                        continue;
                    }
                    throw Errno.EINVAL.error("too many inodes");
                }
                int maxIpg = 65536 - bs / isize;
                if (perGroup > maxIpg) perGroup = maxIpg;
                int g;
                long ipgTry = perGroup;
                for (;;) {
                    itb = (int) ((ipgTry * isize + bs - 1) / bs);
                    long ip = (long) itb * bs / isize;
                    if (ip < 8) ip = 8;
                    ip &= ~7L;
                    itb = (int) ((ip * isize + bs - 1) / bs);
                    if (ip * groups > 0xffffffffL) {
                        ipgTry--;
                        continue;
                    }
                    ipg = (int) ip;
                    break;
                }
                inodes = (long) ipg * groups;
                rsvGdt = calcReservedGdt();
                if (rsvGdt > bs / 4) throw Errno.EINVAL.error("too many reserved group descriptor blocks");
                int overhead = 3 + itb + rsvGdt + descBlocks;
                if (overhead > bpg) throw Errno.EINVAL.error("too many inodes for the group size");
                int lastOverhead = 2 + itb + (Ext2Layout.bgHasSuper(groups - 1, true) ? 1 + descBlocks + rsvGdt : 0);
                long rem = (blocks - firstData) % bpg;
                if (groups == 1 && rem != 0 && rem < lastOverhead) throw Errno.EINVAL.error("filesystem too small");
                if (rem != 0 && rem < lastOverhead + 50) {
                    double ratio = 100.0 * rBlocks / blocks;
                    blocks -= rem;
                    rBlocks = (long) (ratio * blocks / 100.0);
                    continue;
                }
                g = groups;
                if (g > 0) break;
            }
        }

        /** calc_reserved_gdt_blocks: room to grow to 1024 times the size, capped at 2^32 blocks. */
        private int calcReservedGdt() {
            long max = 0xffffffffL;
            if (blocks < max / 1024) max = blocks * 1024;
            long rsvGroups = (max - firstData + bpg - 1) / bpg;
            long gdpb = bs / 32;
            long r = (rsvGroups + gdpb - 1) / gdpb - descBlocks;
            return (int) Math.min(r, bs / 4);
        }

        TreeMap<Long, byte[]> build() {
            TreeMap<Long, byte[]> out = new TreeMap<>();
            blockBitmap = new long[groups];
            inodeBitmap = new long[groups];
            inodeTable = new long[groups];
            usedBlocks = new int[groups];
            byte[][] bmaps = new byte[groups][];
            for (int g = 0; g < groups; g++) {
                long first = groupFirst(g);
                int meta = Ext2Layout.bgHasSuper(g, true) ? 1 + descBlocks + rsvGdt : 0;
                blockBitmap[g] = first + meta;
                inodeBitmap[g] = first + meta + 1;
                inodeTable[g] = first + meta + 2;
                bmaps[g] = new byte[bs];
                for (int i = 0; i < meta + 2 + itb; i++) Bitmap.set(bmaps[g], i);
                for (int i = groupBlocks(g); i < bs * 8; i++) Bitmap.set(bmaps[g], i);
                usedBlocks[g] = meta + 2 + itb;
            }
            // group 0: root directory, lost+found, then the resize inode's double indirect block
            long next = inodeTable[0] + itb;
            long rootBlock = next++;
            int lpfBlocks = Math.min(12, Math.max(2, (16384 + bs - 1) / bs));
            long lpfFirst = next;
            next += lpfBlocks;
            long dind = rsvGdt > 0 ? next++ : 0;
            for (long b = rootBlock; b < next; b++) Bitmap.set(bmaps[0], (int) (b - groupFirst(0)));
            usedBlocks[0] += (int) (next - rootBlock);

            byte[] root = new byte[bs];
            dirent(root, 0, 2, 12, ".");
            dirent(root, 12, 2, 12, "..");
            dirent(root, 24, 11, bs - 24, "lost+found");
            out.put(rootBlock, root);
            byte[] lpf = new byte[bs];
            dirent(lpf, 0, 11, 12, ".");
            dirent(lpf, 12, 2, bs - 12, "..");
            out.put(lpfFirst, lpf);
            for (int i = 1; i < lpfBlocks; i++) {
                byte[] empty = new byte[bs];
                Le.put16(empty, 4, bs == 65536 ? 65535 : bs);
                out.put(lpfFirst + i, empty);
            }

            // resize inode: DIND lists the primary reserved descriptor blocks, each of which lists its backups
            int apb = bs / 4;
            byte[] dindBuf = new byte[bs];
            long resizeBlocks = 1;
            List<Integer> backupGroups = new ArrayList<>();
            for (int g = 1; g < groups; g++) if (Ext2Layout.bgHasSuper(g, true)) backupGroups.add(g);
            for (int r = 0; r < rsvGdt; r++) {
                long gdtBlk = firstData + 1 + descBlocks + r;
                Le.put32(dindBuf, ((descBlocks + r) % apb) * 4, gdtBlk);
                resizeBlocks++;
                byte[] list = new byte[bs];
                int last = 0;
                for (int g : backupGroups) {
                    Le.put32(list, last++ * 4, gdtBlk + (long) g * bpg);
                    resizeBlocks++;
                }
                out.put(gdtBlk, list);
            }
            if (rsvGdt > 0) out.put(dind, dindBuf);

            // inode tables: inodes 1, 2, 7, 11
            byte[] ib = inodeBitmapBlock();
            long freeBlocks = 0;
            for (int g = 0; g < groups; g++) freeBlocks += groupBlocks(g) - usedBlocks[g];
            long freeInodes = inodes - 11;
            byte[] itable0 = new byte[itb * bs];
            int o1 = 0;
            Le.put32(itable0, o1 + 0x08, now);
            Le.put32(itable0, o1 + 0x0C, now);
            Le.put32(itable0, o1 + 0x10, now);
            newInode(itable0, 2 - 1, 040755, bs, 3, bs / 512);
            Le.put32(itable0, (2 - 1) * isize + 0x28, rootBlock);
            newInode(itable0, 11 - 1, 040700, (long) lpfBlocks * bs, 2, (long) lpfBlocks * bs / 512);
            for (int i = 0; i < lpfBlocks; i++) Le.put32(itable0, (11 - 1) * isize + 0x28 + 4 * i, lpfFirst + i);
            if (rsvGdt > 0) {
                long rsize = ((long) apb * apb + apb + 12) * bs;
                newInode(itable0, 7 - 1, 0100600, rsize, 1, resizeBlocks * (bs / 512));
                Le.put32(itable0, (7 - 1) * isize + 0x28 + 13 * 4, dind);
            }
            for (int i = 0; i < itb; i++) {
                byte[] blk = java.util.Arrays.copyOfRange(itable0, i * bs, (i + 1) * bs);
                boolean zero = true;
                for (byte x : blk) if (x != 0) { zero = false; break; }
                if (!zero) out.put(inodeTable[0] + i, blk);
            }

            byte[] gdt = new byte[descBlocks * bs];
            for (int g = 0; g < groups; g++) {
                int o = g * 32;
                Le.put32(gdt, o, blockBitmap[g]);
                Le.put32(gdt, o + 4, inodeBitmap[g]);
                Le.put32(gdt, o + 8, inodeTable[g]);
                Le.put16(gdt, o + 12, groupBlocks(g) - usedBlocks[g]);
                Le.put16(gdt, o + 14, g == 0 ? ipg - 11 : ipg);
                Le.put16(gdt, o + 16, g == 0 ? 2 : 0);
                Le.put16(gdt, o + 18, 0x4); // EXT4_BG_INODE_ZEROED: the inode table is known to be zero
                out.put(blockBitmap[g], bmaps[g]);
                byte[] ibg = g == 0 ? ib : inodeBitmapEmpty();
                out.put(inodeBitmap[g], ibg);
            }

            byte[] sb = superblock(freeBlocks, freeInodes);
            for (int g = 0; g < groups; g++) {
                if (!Ext2Layout.bgHasSuper(g, true)) continue;
                long first = groupFirst(g);
                byte[] copy = sb.clone();
                if (g != 0) {
                    Le.put16(copy, 0x5A, g);
                    Le.put16(copy, 0x3A, 0);
                }
                if (g == 0) {
                    long sbBlock = 1024 / bs;
                    byte[] blk = out.getOrDefault(sbBlock, new byte[bs]);
                    System.arraycopy(copy, 0, blk, 1024 % bs, 1024);
                    out.put(sbBlock, blk);
                } else {
                    byte[] blk = new byte[bs];
                    System.arraycopy(copy, 0, blk, 0, 1024);
                    out.put(first, blk);
                }
                for (int i = 0; i < descBlocks; i++) {
                    out.put(first + 1 + i, java.util.Arrays.copyOfRange(gdt, i * bs, (i + 1) * bs));
                }
            }
            return out;
        }

        private byte[] inodeBitmapEmpty() {
            byte[] b = new byte[bs];
            for (int i = ipg; i < bs * 8; i++) Bitmap.set(b, i);
            return b;
        }

        private byte[] inodeBitmapBlock() {
            byte[] b = inodeBitmapEmpty();
            for (int i = 0; i < 11; i++) Bitmap.set(b, i);
            return b;
        }

        /** ext2fs_write_new_inode: times, crtime, i_extra_isize for large inodes. */
        private void newInode(byte[] t, int index, int mode, long size, int links, long sectors) {
            int o = index * isize;
            Le.put16(t, o, mode);
            Le.put32(t, o + 0x04, size);
            Le.put32(t, o + 0x6C, size >>> 32);
            Le.put32(t, o + 0x08, now);
            Le.put32(t, o + 0x0C, now);
            Le.put32(t, o + 0x10, now);
            Le.put16(t, o + 0x1A, links);
            Le.put32(t, o + 0x1C, sectors);
            if (isize > 128) {
                Le.put16(t, o + 0x80, 32);
                Le.put32(t, o + 0x90, now);
            }
        }

        private void dirent(byte[] b, int off, long ino, int rec, String name) {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            Le.put32(b, off, ino);
            Le.put16(b, off + 4, rec == 65536 ? 65535 : rec);
            Le.put8(b, off + 6, n.length);
            Le.put8(b, off + 7, Ext2Dir.FT_DIR);
            System.arraycopy(n, 0, b, off + 8, n.length);
        }

        private byte[] superblock(long freeBlocks, long freeInodes) {
            byte[] s = new byte[1024];
            Le.put32(s, 0x00, inodes);
            Le.put32(s, 0x04, blocks);
            Le.put32(s, 0x08, rBlocks);
            Le.put32(s, 0x0C, freeBlocks);
            Le.put32(s, 0x10, freeInodes);
            Le.put32(s, 0x14, firstData);
            int log = Integer.numberOfTrailingZeros(bs) - 10;
            Le.put32(s, 0x18, log);
            Le.put32(s, 0x1C, log);
            Le.put32(s, 0x20, bpg);
            Le.put32(s, 0x24, bpg);
            Le.put32(s, 0x28, ipg);
            Le.put32(s, 0x30, now);
            Le.put16(s, 0x36, 0xffff);
            Le.put16(s, 0x38, Ext2SuperBlock.MAGIC);
            Le.put16(s, 0x3A, Ext2SuperBlock.VALID_FS);
            Le.put16(s, 0x3C, 1);
            Le.put32(s, 0x40, now);
            Le.put32(s, 0x4C, 1);
            Le.put32(s, 0x54, 11);
            Le.put16(s, 0x58, isize);
            long compat = Ext2Features.COMPAT_EXT_ATTR | (rsvGdt > 0 ? Ext2Features.COMPAT_RESIZE_INODE : 0)
                    | (p.dirIndex() ? Ext2Features.COMPAT_DIR_INDEX : 0);
            Le.put32(s, 0x5C, compat);
            Le.put32(s, 0x60, Ext2Features.INCOMPAT_FILETYPE);
            Le.put32(s, 0x64, Ext2Features.RO_COMPAT_SPARSE_SUPER | Ext2Features.RO_COMPAT_LARGE_FILE);
            UUID u = p.uuid() != null ? p.uuid() : UUID.randomUUID();
            putUuid(s, 0x68, u);
            if (p.label() != null) {
                byte[] lb = p.label().getBytes(StandardCharsets.UTF_8);
                System.arraycopy(lb, 0, s, 0x78, Math.min(16, lb.length));
            }
            Le.put16(s, 0xCE, rsvGdt);
            UUID seed = p.hashSeed() != null ? p.hashSeed() : UUID.randomUUID();
            putUuid(s, 0xEC, seed);
            Le.put8(s, 0xFC, 1);
            Le.put32(s, 0x100, 0xC);
            Le.put32(s, 0x108, now);
            if (isize > 128) {
                Le.put16(s, 0x15C, 32);
                Le.put16(s, 0x15E, 32);
            }
            Le.put32(s, 0x160, 1);
            long overhead = firstData;
            for (int g = 0; g < groups; g++) overhead += (Ext2Layout.bgHasSuper(g, true) ? 1 + descBlocks + rsvGdt : 0) + 2 + itb;
            Le.put32(s, 0x248, overhead);
            return s;
        }

        private static void putUuid(byte[] s, int off, UUID u) {
            ByteBuffer b = ByteBuffer.wrap(s, off, 16);
            b.putLong(u.getMostSignificantBits());
            b.putLong(u.getLeastSignificantBits());
        }
    }
}
