package io.framegate.server.intake;

import io.framegate.provider.AddressPolicy;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageFetcherTest {
    @Test
    void privateRangesAndTheIpv6FormsThatEmbedThemAreForbidden() throws Exception {
        for (String a : new String[] {"10.1.2.3", "127.0.0.1", "169.254.169.254", "172.16.0.1", "192.168.1.1",
                "100.64.0.1", "100.127.255.255", "198.18.0.1", "198.19.255.255", "0.0.0.0", "224.0.0.1",
                "::1", "fe80::1", "fc00::1", "fd12::1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "64:ff9b::7f00:1",
                "64:ff9b:1::1", "2002:0a00:0001::", "2002:c0a8:0101::1", "2002:6440:0001::", "2001:0:4136:e378:8000:63bf:f5ff:fffe"}) {
            assertThat(AddressPolicy.isForbidden(a)).as(a).isTrue();
        }
        for (String a : new String[] {"8.8.8.8", "100.63.255.255", "100.128.0.1", "198.17.255.255", "198.20.0.1",
                "2606:4700::1111", "64:ff9b::808:808", "2002:0808:0808::1"}) {
            assertThat(AddressPolicy.isForbidden(a)).as(a).isFalse();
        }
    }

    @Test
    void theResolvedAddressIsCheckedOnceAndTheConnectionGoesToIt() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        AtomicReference<String> hostHeader = new AtomicReference<>();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serveOnce(server, hostHeader, "hello".getBytes(StandardCharsets.US_ASCII)));
            // a rebinding resolver: the name first points at loopback, then at something else
            ImageFetcher fetcher = new ImageFetcher(2, true, host -> lookups.incrementAndGet() == 1
                    ? new InetAddress[] {InetAddress.getLoopbackAddress()}
                    : new InetAddress[] {InetAddress.getByName("192.0.2.1")});
            byte[] body = fetcher.fetch("http://images.example:" + server.getLocalPort() + "/a.png", 100, Duration.ofSeconds(5));
            assertThat(new String(body, StandardCharsets.US_ASCII)).isEqualTo("hello");
            assertThat(lookups.get()).as("one lookup: the checked address is the one connected to").isEqualTo(1);
            assertThat(hostHeader.get()).isEqualTo("images.example:" + server.getLocalPort());
        }
    }

    @Test
    void aNameResolvingToAForbiddenAddressIsRefusedBeforeConnecting() {
        // one public and one CGNAT address: any forbidden address refuses the name
        ImageFetcher fetcher = new ImageFetcher(1, false, host -> new InetAddress[] {
                InetAddress.getByName("8.8.8.8"), InetAddress.getByName("100.64.3.4")});
        assertThatThrownBy(() -> fetcher.fetch("http://rebind.example/x.png", 100, Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(FetchException.class, e -> assertThat(e.kind()).isEqualTo(FetchException.Kind.FORBIDDEN_ADDRESS));
    }

    @Test
    void aBodyOverTheByteLimitIsRefused() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serveOnce(server, new AtomicReference<>(), new byte[5000]));
            ImageFetcher fetcher = new ImageFetcher(1, true);
            assertThatThrownBy(() -> fetcher.fetch("http://127.0.0.1:" + server.getLocalPort() + "/big", 1000, Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(FetchException.class, e -> assertThat(e.kind()).isEqualTo(FetchException.Kind.TOO_LARGE));
        }
    }

    @Test
    void aChunkedBodyIsReassembled() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write(("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (Exception ignored) {
                    // the test reads what it got
                }
            });
            byte[] body = new ImageFetcher(1, true).fetch("http://127.0.0.1:" + server.getLocalPort() + "/c", 100,
                    Duration.ofSeconds(5));
            assertThat(new String(body, StandardCharsets.US_ASCII)).isEqualTo("hello world");
        }
    }

    @Test
    void aRedirectIsTheAnswerAndIsNotFollowed() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (Socket s = server.accept()) {
                        requests.incrementAndGet();
                        s.getInputStream().read(new byte[4096]);
                        s.getOutputStream().write(("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:" + server.getLocalPort()
                                + "/b.png\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    } catch (Exception ignored) {
                        return;
                    }
                }
            });
            ImageFetcher fetcher = new ImageFetcher(1, true);
            assertThatThrownBy(() -> fetcher.fetch("http://127.0.0.1:" + server.getLocalPort() + "/a.png", 100, Duration.ofSeconds(5)))
                    .isInstanceOfSatisfying(FetchException.class, e -> assertThat(e.kind()).isEqualTo(FetchException.Kind.UNREACHABLE))
                    .hasMessage("answered HTTP 302; the image must be directly downloadable (redirects are not followed)");
            assertThat(requests).hasValue(1);
        }
    }

    private static void serveOnce(ServerSocket server, AtomicReference<String> hostHeader, byte[] body) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) break;
                head.append((char) c);
            }
            for (String line : head.toString().split("\r\n")) {
                if (line.regionMatches(true, 0, "Host:", 0, 5)) hostHeader.set(line.substring(5).trim());
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        } catch (Exception ignored) {
            // the test reads what it got
        }
    }
}
