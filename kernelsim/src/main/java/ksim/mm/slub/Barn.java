package ksim.mm.slub;

import java.util.ArrayDeque;

/**
 * struct node_barn (mm/slub.c): per node, full and empty sheaves the CPUs trade with. The
 * object is the barn's lock.
 */
final class Barn {
    /** MAX_FULL_SHEAVES and MAX_EMPTY_SHEAVES. */
    static final int MAX_FULL = 10;
    static final int MAX_EMPTY = 10;

    final ArrayDeque<Sheaf> full = new ArrayDeque<>();
    final ArrayDeque<Sheaf> empty = new ArrayDeque<>();

    /** barn_replace_empty_sheaf(): a full sheaf in exchange for an empty one, or null. */
    synchronized Sheaf replaceEmpty(Sheaf emptySheaf) {
        if (full.isEmpty()) return null;
        Sheaf f = full.poll();
        empty.push(emptySheaf);
        return f;
    }

    /** barn_get_empty_sheaf(). */
    synchronized Sheaf getEmpty() {
        return empty.poll();
    }

    /** barn_put_empty_sheaf(). */
    synchronized void putEmpty(Sheaf s) {
        empty.push(s);
    }

    /** barn_put_full_sheaf(). */
    synchronized void putFull(Sheaf s) {
        full.push(s);
    }

    /** The outcome of barn_replace_full_sheaf(). */
    enum Refusal { NONE, TOO_MANY_FULL, NO_EMPTY }

    /** barn_replace_full_sheaf(): an empty sheaf for a full one; null and why when refused. */
    synchronized Sheaf replaceFull(Sheaf fullSheaf, Refusal[] why) {
        if (full.size() >= MAX_FULL) {
            why[0] = Refusal.TOO_MANY_FULL;
            return null;
        }
        if (empty.isEmpty()) {
            why[0] = Refusal.NO_EMPTY;
            return null;
        }
        Sheaf e = empty.poll();
        full.push(fullSheaf);
        why[0] = Refusal.NONE;
        return e;
    }
}
