package ksim.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One scrape of prometheus-node-exporter reading a mounted kernel's trees (--path.procfs,
 * --path.sysfs) with only the given collectors, listening on loopback and stopped by its pid.
 */
final class NodeExporterScrape {
    static final String BINARY = "/usr/bin/prometheus-node-exporter";

    private NodeExporterScrape() {}

    /** metric{labels} -> value. */
    static Map<String, Double> scrape(MountedKernel mk, List<String> collectors) throws Exception {
        boolean have = Files.isExecutable(Path.of(BINARY));
        if (Boolean.getBoolean("ksim.requireFuse")) assertTrue(have, "install prometheus-node-exporter (.ci/run does)");
        assumeTrue(have, "needs prometheus-node-exporter");
        int port = freePort();
        List<String> argv = new ArrayList<>(List.of(BINARY, "--path.procfs=" + mk.proc(), "--path.sysfs=" + mk.dir.resolve("sys"),
                "--collector.disable-defaults", "--web.listen-address=127.0.0.1:" + port));
        for (String c : collectors) argv.add("--collector." + c);
        Process ne = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(ne.getErrorStream(), StandardCharsets.UTF_8))) {
            // It logs "Listening on" once its socket is bound: that line is the signal to scrape.
            List<String> log = new ArrayList<>();
            String line;
            while ((line = err.readLine()) != null && !line.contains("msg=\"Listening on\"")) log.add(line);
            assertTrue(line != null, "node_exporter exited before listening: " + log);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            return parse(r.body());
        } finally {
            ne.destroy();
            if (!ne.waitFor(10, TimeUnit.SECONDS)) ne.destroyForcibly().waitFor();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static Map<String, Double> parse(String text) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int sp = line.lastIndexOf(' ');
            m.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return m;
    }
}
