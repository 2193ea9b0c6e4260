package ksim.mm;

/**
 * vm_event_states (mm/vmstat.c): the event counters of /proc/vmstat, summed over CPUs (one
 * array here: every event happens under the kernel lock). pgpgin and pgpgout are kept in
 * 512-byte sectors, as submit_bio() counts them; /proc/vmstat halves them into KiB.
 */
public final class VmEvents {
    private final long[] events = new long[VmEventItem.values().length];

    /** count_vm_events(). */
    public void count(VmEventItem item, long delta) {
        if (delta < 0) throw new IllegalArgumentException("events only count up: " + item.text);
        events[item.ordinal()] += delta;
    }

    public long get(VmEventItem item) {
        return events[item.ordinal()];
    }

    /** all_vm_events() as /proc/vmstat shows them: pgpgin/pgpgout converted from sectors to KiB. */
    public long shown(VmEventItem item) {
        long v = get(item);
        return item == VmEventItem.PGPGIN || item == VmEventItem.PGPGOUT ? v / 2 : v;
    }
}
