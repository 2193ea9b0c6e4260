package ksim.kernel;

import java.util.List;
import ksim.mm.Program;

/**
 * A prefork server (an nginx master and N idle workers): the quickest way to give the kernel
 * many ordinary processes, e.g. for benchmarks of clients that walk every pid.
 */
public final class PreforkPool {
    private PreforkPool() {}

    /** Starts a master process under init and n sleeping workers under it; returns the master. */
    public static Task start(Kernel k, int n) {
        if (n < 0) throw Errno.EINVAL.error("worker count must not be negative");
        return k.locked(() -> {
            List<String> env = List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
            Task master = k.spawn(k.initTask(), Program.small("/usr/sbin/nginx", 1_200, 6_000, 12),
                    List.of("/usr/sbin/nginx", "-g", "daemon on; master_process on;"), env, Cred.ROOT);
            k.setsid(master);
            k.setCmdline(master, List.of("nginx: master process /usr/sbin/nginx -g daemon on; master_process on;"));
            k.setState(master, TaskState.INTERRUPTIBLE, "sigsuspend");
            Cred wwwData = Cred.of(33, 33);
            for (int i = 0; i < n; i++) {
                Task w = k.spawn(master, Program.small("/usr/sbin/nginx", 1_600, 5_200, 12),
                        List.of("/usr/sbin/nginx", "-g", "daemon on; master_process on;"), env, wwwData);
                k.setCmdline(w, List.of("nginx: worker process"));
                k.setState(w, TaskState.INTERRUPTIBLE, "do_epoll_wait");
            }
            return master;
        });
    }
}
