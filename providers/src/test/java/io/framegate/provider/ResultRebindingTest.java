package io.framegate.provider;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A result URL whose host name answers one address when it is checked and another when it is connected to (DNS
 * rebinding): the download must go to the checked address, never to the second answer. No address leaves the
 * machine: the channel's own base address 127.0.0.2 stands for a public CDN, and the system's address of
 * {@code localhost} stands for 169.254.169.254. The same port listens on both, so only the address tells them apart.
 */
class ResultRebindingTest {
    static final Duration T = Duration.ofSeconds(20);

    @TempDir
    Path tmp;
    final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    HttpServer serve(InetAddress address, int port, String body, AtomicInteger hits) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(address, port), 16);
        s.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] b = body.getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        s.start();
        servers.add(s);
        return s;
    }

    @Test
    void aNameAnsweringTheCheckedAddressFirstAndAPrivateOneSecondIsFetchedFromTheCheckedOneOnly() throws Exception {
        AtomicInteger trustedHits = new AtomicInteger();
        AtomicInteger internalHits = new AtomicInteger();
        InetAddress trusted = InetAddress.getByName("127.0.0.2");
        // what the system answers for localhost is the "second answer" a rebinding nameserver would give
        InetAddress internal = InetAddress.getByName("localhost");
        assertThat(internal).as("the stand-in for the internal address").isNotEqualTo(trusted);
        int port = serve(trusted, 0, "the video", trustedHits).getAddress().getPort();
        serve(internal, port, "iam credentials", internalHits);
        AtomicInteger lookups = new AtomicInteger();
        PinnedFetcher.Resolver rebinding = host -> lookups.incrementAndGet() == 1
                ? new InetAddress[] {trusted} : new InetAddress[] {internal};
        Http http = new Http(T, Http.MAX_RESULT_BYTES, rebinding).trusting("http://127.0.0.2:" + port);

        Path out = tmp.resolve("v.mp4");
        http.download(http.request("http://localhost:" + port + "/out.mp4").GET().build(), out, "video", T);

        assertThat(internalHits).as("requests that reached the second answer's address").hasValue(0);
        assertThat(out).hasContent("the video");
        assertThat(trustedHits).hasValue(1);
        assertThat(lookups).as("the name is resolved once").hasValue(1);
    }
}
