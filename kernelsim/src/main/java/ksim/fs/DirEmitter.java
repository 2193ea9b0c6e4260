package ksim.fs;

/** struct dir_context: readdir hands each entry to it; false means the buffer is full. */
@FunctionalInterface
public interface DirEmitter {
    boolean emit(String name, long ino, int mode);
}
