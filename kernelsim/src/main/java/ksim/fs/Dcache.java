package ksim.fs;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dentry cache (fs/dcache.c): dentries hashed by parent and name (d_hash, d_lookup),
 * added on lookup (d_add), dropped (d_drop), moved by rename (d_move), and each inode's list
 * of names (i_dentry / d_alias), which tells who else caches a hard-linked inode. The least
 * recently used dentries are pruned beyond a limit (prune_dcache_sb); a pruned name is simply
 * looked up again.
 */
public final class Dcache {
    /** The hash key: parent by identity, name by value (explicit methods: a record's go through method handles). */
    private static final class Key {
        final Dentry parent;
        final String name;

        Key(Dentry parent, String name) {
            this.parent = parent;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.parent == parent && k.name.equals(name);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(parent) * 31 + name.hashCode();
        }
    }

    private final int limit;
    private final LinkedHashMap<Key, Dentry> table;
    /** Each cached inode's names: inodes with one name in single, with more in aliases. */
    private final IdentityHashMap<Inode, List<Dentry>> aliases = new IdentityHashMap<>();
    private final IdentityHashMap<Inode, Dentry> single = new IdentityHashMap<>();
    private long hits;
    private long misses;
    /** Advances whenever a directory's dentry is dropped, moved or pruned: cached walks are then stale. */
    private volatile long generation;
    /** Where dentries are allocated from (the dentry cache's kmem_cache). */
    private final VfsSlab slab;

    public Dcache(int limit) {
        this(limit, VfsSlab.NONE);
    }

    public Dcache(int limit, VfsSlab slab) {
        this.limit = limit;
        this.slab = slab;
        this.table = new LinkedHashMap<>(4096, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Dentry> eldest) {
                if (size() <= Dcache.this.limit) return false;
                unalias(eldest.getValue());
                changed(eldest.getValue());
                slab.uncharge(VfsSlab.Kind.DENTRY, eldest.getValue());
                return true;
            }
        };
    }

    /** d_lookup: the cached dentry of name in parent, or null. */
    public synchronized Dentry lookup(Dentry parent, String name) {
        Dentry d = table.get(new Key(parent, name));
        if (d == null) misses++;
        else hits++;
        return d;
    }

    /** d_add: caches inode (null: a negative entry) as name in parent; returns the dentry. */
    public synchronized Dentry add(Dentry parent, String name, Inode inode) {
        Dentry d = new Dentry(parent, name, inode);
        slab.charge(VfsSlab.Kind.DENTRY, d);
        Dentry old = table.put(new Key(parent, name), d);
        if (old != null) {
            unalias(old);
            changed(old);
            slab.uncharge(VfsSlab.Kind.DENTRY, old);
        }
        alias(d);
        return d;
    }

    private void changed(Dentry d) {
        if (d.inode != null && Mode.isDir(d.inode.getattr().mode())) generation++;
    }

    /** See generation. */
    public long generation() {
        return generation;
    }

    /** d_drop: forgets name in parent. */
    public synchronized void drop(Dentry parent, String name) {
        Dentry old = table.remove(new Key(parent, name));
        if (old != null) {
            unalias(old);
            changed(old);
            slab.uncharge(VfsSlab.Kind.DENTRY, old);
        }
    }

    private void alias(Dentry d) {
        Inode i = d.inode;
        if (i == null) return;
        List<Dentry> many = aliases.get(i);
        if (many != null) {
            many.add(d);
            return;
        }
        Dentry one = single.putIfAbsent(i, d);
        if (one != null && one != d) {
            single.remove(i);
            List<Dentry> l = new ArrayList<>(2);
            l.add(one);
            l.add(d);
            aliases.put(i, l);
        }
    }

    private void unalias(Dentry d) {
        Inode i = d.inode;
        if (i == null) return;
        if (single.get(i) == d) {
            single.remove(i);
            return;
        }
        List<Dentry> many = aliases.get(i);
        if (many == null) return;
        many.remove(d);
        if (many.size() == 1) {
            aliases.remove(i);
            single.put(i, many.get(0));
        } else if (many.isEmpty()) {
            aliases.remove(i);
        }
    }

    /** The other cached names of inode than except (d_alias), empty for an inode known by one name. */
    public synchronized List<Dentry> otherAliases(Inode inode, Dentry except) {
        List<Dentry> many = aliases.get(inode);
        if (many == null) return List.of();
        List<Dentry> out = new ArrayList<>(many.size());
        for (Dentry d : many) if (d != except) out.add(d);
        return out;
    }

    /** True if more than one name of inode is cached. */
    public synchronized boolean hasAliases(Inode inode) {
        return aliases.containsKey(inode);
    }

    /** d_move: the dentry of oldName in oldParent now is newName in newParent, replacing what was there. */
    public synchronized void move(Dentry oldParent, String oldName, Dentry newParent, String newName) {
        Dentry d = table.remove(new Key(oldParent, oldName));
        Dentry replaced = table.remove(new Key(newParent, newName));
        if (replaced != null) {
            unalias(replaced);
            changed(replaced);
            slab.uncharge(VfsSlab.Kind.DENTRY, replaced);
        }
        if (d != null) changed(d);
        if (d != null && d.negative()) {
            unalias(d);
            slab.uncharge(VfsSlab.Kind.DENTRY, d);
        }
        if (d != null && !d.negative()) {
            d.parent = newParent;
            d.name = newName;
            table.put(new Key(newParent, newName), d);
        }
    }

    public synchronized int size() {
        return table.size();
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
