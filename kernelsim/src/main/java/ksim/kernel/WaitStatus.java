package ksim.kernel;

/**
 * What wait4() returns: the pid collected (0 when no child was ready) and its status word,
 * encoded as the kernel does — (code & 0xff) << 8 for an exit, the signal number (| 0x80 if a
 * core was dumped) for a death by signal, (signal << 8) | 0x7f for a stop.
 */
public record WaitStatus(int pid, int status) {
    public boolean exited() { return pid != 0 && (status & 0x7f) == 0; }
    public int exitCode() { return (status >> 8) & 0xff; }
    public boolean signaled() { return pid != 0 && (status & 0x7f) != 0 && (status & 0xff) != 0x7f; }
    public int termSignal() { return status & 0x7f; }
    public boolean coreDumped() { return signaled() && (status & 0x80) != 0; }
    public boolean stopped() { return pid != 0 && (status & 0xff) == 0x7f; }
    public int stopSignal() { return (status >> 8) & 0xff; }
}
