package ksim.ctl;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import ksim.kernel.Errno;
import ksim.kernel.Kernel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control socket of a running ksim: a Unix domain socket (mode 0600) where each
 * connection is a Session — one command per line, one answer line per command, answered in
 * order. Answers are written when the client has nothing more buffered, so a client that
 * writes many commands before reading gets them back in few writes. One thread per
 * connection; a misbehaving client can only lose its own connection.
 */
public final class CtlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CtlServer.class);
    private final Path path;
    private final ServerSocketChannel server;
    private final Ctl ctl;
    private final Commands commands = new Commands();
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean closed;

    private CtlServer(Kernel kernel, Path path, ServerSocketChannel server) {
        this.path = path;
        this.server = server;
        this.ctl = new Ctl(kernel);
        this.acceptor = new Thread(this::acceptLoop, "ksim-ctl-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens at path. A socket file left there by a daemon that was killed is replaced (the
     * caller has made sure no daemon runs for this instance).
     */
    public static CtlServer start(Kernel kernel, Path path) throws IOException {
        Files.deleteIfExists(path);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        CtlServer s = new CtlServer(kernel, path, ch);
        s.acceptor.start();
        return s;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closed) log.warn("control socket accept failed: {}", e.toString());
                return;
            }
            clients.add(c);
            Thread t = new Thread(() -> serve(c), "ksim-ctl-" + connections.incrementAndGet());
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(SocketChannel c) {
        Session session = new Session(ctl, commands);
        try (c) {
            LineReader in = new LineReader(ChannelStreams.in(c), LineReader.MAX_LINE);
            OutputStream out = new BufferedOutputStream(ChannelStreams.out(c), 64 * 1024);
            String line;
            while ((line = in.readLine()) != null) {
                String answer = line == LineReader.TOO_LONG
                        ? Reply.err(Errno.E2BIG, "line longer than " + LineReader.MAX_LINE + " bytes").text()
                        : session.execute(line);
                if (answer != null) {
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.write('\n');
                }
                if (!in.buffered()) out.flush();
            }
            out.flush();
        } catch (IOException e) {
            log.debug("control connection ended: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("control connection failed", e);
        } finally {
            clients.remove(c);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (SocketChannel c : clients) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.warn("could not remove {}: {}", path, e.toString());
        }
    }
}
