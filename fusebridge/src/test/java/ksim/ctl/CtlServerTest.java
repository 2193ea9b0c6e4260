package ksim.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import ksim.kernel.Clock;
import ksim.kernel.Kernel;
import ksim.kernel.KernelConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The control socket: pipelining, answers in order, bad input on the wire, several clients. */
class CtlServerTest {
    private Kernel k;
    private Path dir;
    private CtlServer server;

    @BeforeEach
    void up() throws IOException {
        k = Kernel.boot(KernelConfig.defaults().withClockMode(Clock.Mode.MANUAL).withBootEpochMs(1_700_000_000_000L));
        dir = Files.createTempDirectory("ksim-ctl");
        server = CtlServer.start(k, dir.resolve("ctl.sock"));
    }

    @AfterEach
    void down() throws IOException {
        server.close();
        Files.deleteIfExists(dir.resolve("ctl.sock"));
        Files.deleteIfExists(dir);
    }

    /** A client connection: bytes out, lines in. */
    private final class Client implements AutoCloseable {
        final SocketChannel ch;
        final OutputStream out;
        final LineReader in;

        Client() throws IOException {
            ch = SocketChannel.open(UnixDomainSocketAddress.of(server.path()));
            out = ChannelStreams.out(ch);
            in = new LineReader(ChannelStreams.in(ch), Integer.MAX_VALUE - 16);
        }

        String ask(String line) throws IOException {
            send(line + "\n");
            return in.readLine();
        }

        void send(String s) throws IOException {
            out.write(s.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        int n = 6000;
        try (Client c = new Client()) {
            AtomicReference<Exception> failed = new AtomicReference<>();
            // Everything is written before any answer is read (by a second thread, as a real
            // pipelining client must, or both sides could fill their socket buffers).
            Thread writer = new Thread(() -> {
                try {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        b.append(i % 3 == 0 ? "spawn --comm p" + i : i % 3 == 1 ? "# comment, no answer\nping" : "show 1").append('\n');
                    }
                    c.send(b.toString());
                    c.ch.shutdownOutput();
                } catch (IOException e) {
                    failed.set(e);
                }
            });
            writer.start();
            List<String> answers = new ArrayList<>();
            String a;
            while ((a = c.in.readLine()) != null) answers.add(a);
            writer.join();
            assertEquals(null, failed.get());
            assertEquals(n, answers.size(), "one answer per command, none for comments");
            int lastPid = 0;
            for (int i = 0; i < n; i++) {
                String ans = answers.get(i);
                if (i % 3 == 0) {
                    int pid = Integer.parseInt(CtlProtocolTest.fields(ans).get("pid"));
                    assertTrue(pid > lastPid, "spawns answered in order: " + ans);
                    lastPid = pid;
                    assertEquals("p" + i, k.locked(() -> k.pids().find(pid).commString()));
                } else if (i % 3 == 1) {
                    assertEquals("ok pong=1", ans);
                } else {
                    assertTrue(ans.startsWith("ok pid=1 tgid=1 state=S comm=systemd"), ans);
                }
            }
        }
    }

    @Test
    void badInputOnTheWireGetsErrAndTheConnectionGoesOn() throws Exception {
        try (Client c = new Client()) {
            assertTrue(c.ask("spawn --comm \"oops").startsWith("err EINVAL malformed line"));
            assertTrue(c.ask("kill -99 1").startsWith("err EINVAL "));
            assertTrue(c.ask("kill 123456").startsWith("err ESRCH "));
            c.out.write(new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'});
            assertTrue(c.in.readLine().startsWith("err EINVAL unknown command"));
            assertTrue(c.ask("x".repeat(LineReader.MAX_LINE + 10)).startsWith("err E2BIG "));
            assertEquals("ok pong=1", c.ask("ping\r"), "CRLF lines are fine");
            assertEquals("ok pong=1", c.ask("ping"));
        }
        // A client that vanishes in the middle of a line does no harm.
        try (Client c = new Client()) {
            c.send("spawn --comm half");
        }
        try (Client c = new Client()) {
            assertEquals("ok pong=1", c.ask("ping"));
        }
    }

    @Test
    void connectionsHaveTheirOwnModeAndSeeOneKernel() throws Exception {
        try (Client a = new Client(); Client b = new Client()) {
            assertEquals("{\"ok\":true,\"json\":\"on\"}", a.ask("json on"));
            String spawned = a.ask("spawn --comm shared");
            assertTrue(spawned.startsWith("{\"ok\":true,\"pid\":"), spawned);
            int pid = Integer.parseInt(spawned.replaceAll("^\\{\"ok\":true,\"pid\":(\\d+).*", "$1"));
            assertTrue(b.ask("show " + pid).startsWith("ok pid=" + pid + " "), "the other connection sees it, in text");
        }
    }

    @Test
    void theSocketIsPrivateAndGoesAwayOnClose() throws Exception {
        Path sock = server.path();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)));
        server.close();
        assertFalse(Files.exists(sock));
        assertThrows(IOException.class, () -> SocketChannel.open(UnixDomainSocketAddress.of(sock)));
        // A socket file left by a killed daemon is replaced by the next one.
        Files.createFile(sock);
        server = CtlServer.start(k, sock);
        try (Client c = new Client()) {
            assertEquals("ok pong=1", c.ask("ping"));
        }
    }
}
