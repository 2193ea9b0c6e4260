package ksim.mm;

/**
 * enum zone_type (include/linux/mmzone.h) for x86-64 with CONFIG_ZONE_DEVICE: every node has
 * all five, populated or not, and zoneinfo prints all five. zone_names[] are the names.
 */
public enum ZoneType {
    DMA("DMA"),
    DMA32("DMA32"),
    NORMAL("Normal"),
    MOVABLE("Movable"),
    DEVICE("Device");

    /** MAX_NR_ZONES. */
    public static final int MAX_NR_ZONES = 5;

    public final String text;

    ZoneType(String text) {
        this.text = text;
    }
}
