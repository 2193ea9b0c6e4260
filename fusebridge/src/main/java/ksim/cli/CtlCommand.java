package ksim.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import ksim.ctl.LineReader;
import ksim.ctl.Words;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The client of the control socket. `ksim ctl CMD ARGS...` sends one command and prints its
 * answer; `ksim ctl -` sends every line of stdin, pipelined, and prints every answer as it
 * arrives. The exit status is 0 if every answer was ok, 1 if any was err, 2 if no ksim runs.
 */
@Command(name = "ctl", mixinStandardHelpOptions = true, modelTransformer = CtlCommand.StopAtCommand.class,
        description = {"Send control commands to a running ksim: ksim ctl CMD ARGS..., or ksim ctl - to read commands "
                + "from stdin (pipelined). Every command is answered with one line, 'ok ...' or 'err ERRNO message'.",
                "Try: ksim ctl help; ksim ctl help spawn"})
final class CtlCommand implements Callable<Integer> {
    @Mixin
    InstanceOptions where;

    @Option(names = "--json", description = "Answers in JSON.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "CMD", description = "A command and its arguments, or - for stdin.")
    List<String> command;

    /** Everything after the command's name belongs to it, dashes included (kill -9 42). */
    static final class StopAtCommand implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            spec.parser().stopAtPositional(true).unmatchedOptionsArePositionalParams(true);
            return spec;
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Instance in = where.instance();
        SocketChannel ch;
        try {
            if (!Files.exists(in.ctlSock())) throw new IOException("no socket");
            ch = SocketChannel.open(UnixDomainSocketAddress.of(in.ctlSock()));
        } catch (IOException e) {
            System.err.println("ksim: no running ksim at " + in.dir() + " (cannot connect to " + in.ctlSock()
                    + "); start one with: ksim up");
            return 2;
        }
        try (ch) {
            OutputStream out = new BufferedOutputStream(ksim.ctl.ChannelStreams.out(ch), 64 * 1024);
            LineReader answers = new LineReader(ksim.ctl.ChannelStreams.in(ch), Integer.MAX_VALUE - 16);
            if (command.size() == 1 && command.get(0).equals("-")) return pipe(ch, out, answers);
            String line = Words.join(command) + (json ? " --json" : "");
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String answer = answers.readLine();
            if (answer == null) {
                System.err.println("ksim: the daemon closed the connection without answering");
                return 2;
            }
            System.out.println(answer);
            return isOk(answer) ? 0 : 1;
        }
    }

    static boolean isOk(String answer) {
        return answer.startsWith("ok") || answer.startsWith("{\"ok\":true");
    }

    /** Stdin to the socket on one thread, answers to stdout on this one. */
    private int pipe(SocketChannel ch, OutputStream out, LineReader answers) throws IOException, InterruptedException {
        AtomicReference<IOException> writeFailed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                if (json) out.write("json on\n".getBytes(StandardCharsets.UTF_8));
                InputStream stdin = System.in;
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = stdin.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    if (stdin.available() == 0) out.flush();
                }
                out.flush();
                ch.shutdownOutput();
            } catch (IOException e) {
                writeFailed.set(e);
            }
        }, "ksim-ctl-writer");
        writer.setDaemon(true);
        writer.start();
        PrintStream stdout = new PrintStream(new BufferedOutputStream(System.out, 64 * 1024), false, StandardCharsets.UTF_8);
        boolean allOk = true;
        boolean skipJsonAck = json;
        String answer;
        while ((answer = answers.readLine()) != null) {
            if (skipJsonAck) {
                skipJsonAck = false;
                continue;
            }
            if (!isOk(answer)) allOk = false;
            stdout.println(answer);
            if (!answers.buffered()) stdout.flush();
        }
        stdout.flush();
        writer.join(1000);
        if (writeFailed.get() != null) {
            System.err.println("ksim: sending failed: " + writeFailed.get().getMessage());
            return 2;
        }
        return allOk ? 0 : 1;
    }
}
