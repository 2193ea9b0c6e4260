package ksim.kernel;

/**
 * Task states as /proc reports them: the letters and words of task_state_array[] in
 * fs/proc/array.c. IDLE is TASK_UNINTERRUPTIBLE|TASK_NOLOAD, shown as "I".
 */
public enum TaskState {
    RUNNING('R', "running"),
    INTERRUPTIBLE('S', "sleeping"),
    UNINTERRUPTIBLE('D', "disk sleep"),
    STOPPED('T', "stopped"),
    TRACED('t', "tracing stop"),
    DEAD('X', "dead"),
    ZOMBIE('Z', "zombie"),
    PARKED('P', "parked"),
    IDLE('I', "idle");

    public final char letter;
    public final String word;

    TaskState(char letter, String word) {
        this.letter = letter;
        this.word = word;
    }

    /** The status line form, e.g. "S (sleeping)". */
    public String describe() {
        return letter + " (" + word + ")";
    }
}
