package ksim.fs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The dentry cache (fs/dcache.c): dentries hashed by parent and name (d_hash, d_lookup),
 * added on lookup (d_add), dropped (d_drop), moved by rename (d_move). The least recently used
 * dentries are pruned beyond a limit (prune_dcache_sb); a pruned name is simply looked up again.
 */
public final class Dcache {
    private record Key(Dentry parent, String name) {}

    private final int limit;
    private final LinkedHashMap<Key, Dentry> table;
    private long hits;
    private long misses;

    public Dcache(int limit) {
        this.limit = limit;
        this.table = new LinkedHashMap<>(4096, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Dentry> eldest) {
                return size() > Dcache.this.limit;
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
        table.put(new Key(parent, name), d);
        return d;
    }

    /** d_drop: forgets name in parent. */
    public synchronized void drop(Dentry parent, String name) {
        table.remove(new Key(parent, name));
    }

    /** d_move: the dentry of oldName in oldParent now is newName in newParent, replacing what was there. */
    public synchronized void move(Dentry oldParent, String oldName, Dentry newParent, String newName) {
        Dentry d = table.remove(new Key(oldParent, oldName));
        table.remove(new Key(newParent, newName));
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
