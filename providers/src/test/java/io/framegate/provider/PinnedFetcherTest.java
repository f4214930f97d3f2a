package io.framegate.provider;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@link PinnedFetcher} against stand-ins on loopback addresses only: 127.0.0.2 stands for a public host and every
 * other loopback address for a private one (the rule below), so nothing leaves the machine.
 */
class PinnedFetcherTest {
    static final InetAddress PUBLIC = address("127.0.0.2");
    static final InetAddress PRIVATE = address("127.0.0.3");
    static final PinnedFetcher.Rule RULE = new PinnedFetcher.Rule() {
        public boolean allowsScheme(String scheme) {
            return scheme.equals("http") || scheme.equals("https");
        }

        public boolean allows(InetAddress a) {
            return a.equals(PUBLIC);
        }
    };
    static final PinnedFetcher.Limits LIMITS = new PinnedFetcher.Limits(5, 1_000_000, PinnedFetcher.CREDENTIALS);

    @TempDir
    Path tmp;
    final List<HttpServer> servers = new ArrayList<>();
    /** Requests each stand-in got: its address, then the path and the Authorization header it was sent. */
    final Map<InetAddress, List<String>> seen = new ConcurrentHashMap<>();
    /** What each stand-in was sent: the method, the Content-Type and the body. */
    final Map<InetAddress, List<String>> sent = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static long in(Duration d) {
        return System.nanoTime() + d.toNanos();
    }

    /** A stand-in on {@code address}: /video answers a body, /hop/N redirects to the URL given after it. */
    int serve(HttpServer s, InetAddress address) {
        s.createContext("/", ex -> {
            seen.computeIfAbsent(address, a -> new CopyOnWriteArrayList<>())
                    .add(ex.getRequestURI().getPath() + " auth=" + ex.getRequestHeaders().getFirst("Authorization"));
            sent.computeIfAbsent(address, a -> new CopyOnWriteArrayList<>()).add(ex.getRequestMethod() + " "
                    + ex.getRequestHeaders().getFirst("Content-Type") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/to/")) {
                ex.getResponseHeaders().add("Location", ex.getRequestURI().getRawQuery());
                ex.sendResponseHeaders(302, -1);
            } else {
                byte[] b = "video from ".concat(address.getHostAddress()).getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        s.start();
        servers.add(s);
        return s.getAddress().getPort();
    }

    int serve(InetAddress address, int port) throws IOException {
        return serve(HttpServer.create(new InetSocketAddress(address, port), 16), address);
    }

    static String body(PinnedResponse r) throws IOException {
        try (r; InputStream in = r.body()) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aNameThatRebindsToAPrivateAddressAfterItsCheckIsFetchedFromTheCheckedAddressOnly() throws Exception {
        int port = serve(PUBLIC, 0);
        serve(PRIVATE, port);
        AtomicInteger lookups = new AtomicInteger();
        PinnedFetcher fetcher = new PinnedFetcher(host -> lookups.incrementAndGet() == 1
                ? new InetAddress[] {PUBLIC} : new InetAddress[] {PRIVATE}, false);

        String body = body(fetcher.get(URI.create("http://cdn.test:" + port + "/video"), Map.of(), RULE, LIMITS,
                in(Duration.ofSeconds(20))));

        assertThat(body).isEqualTo("video from 127.0.0.2");
        assertThat(lookups).as("one lookup per hop").hasValue(1);
        assertThat(seen).as("stand-ins that got a request").containsOnlyKeys(PUBLIC);
    }

    @Test
    void aRedirectToANameOnAPrivateAddressIsRefusedWithoutARequestToIt() throws Exception {
        int port = serve(PUBLIC, 0);
        serve(PRIVATE, port);
        PinnedFetcher fetcher = new PinnedFetcher(host -> new InetAddress[] {host.equals("cdn.test") ? PUBLIC : PRIVATE}, false);
        URI uri = URI.create("http://cdn.test:" + port + "/to/?http://metadata.test:" + port + "/video");

        assertThatThrownBy(() -> fetcher.get(uri, Map.of(), RULE, LIMITS, in(Duration.ofSeconds(20))))
                .isInstanceOfSatisfying(FetchFailure.class, f -> {
                    assertThat(f.reason()).isEqualTo(FetchFailure.Reason.REFUSED_ADDRESS);
                    assertThat(f.host()).isEqualTo("metadata.test");
                })
                .hasMessageNotContaining("127.0.0");
        assertThat(seen).containsOnlyKeys(PUBLIC);
    }

    @Test
    void credentialsGoToTheirOwnOriginAndNotAcrossARedirectToAnother() throws Exception {
        int port = serve(PUBLIC, 0);
        PinnedFetcher fetcher = new PinnedFetcher(host -> new InetAddress[] {PUBLIC}, false);
        String other = "http://other.test:" + port + "/video";
        URI uri = URI.create("http://api.test:" + port + "/to/?http://api.test:" + port + "/to/?" + other);

        String body = body(fetcher.get(uri, Map.of("Authorization", List.of("Bearer k-1")), RULE, LIMITS,
                in(Duration.ofSeconds(20))));

        assertThat(body).isEqualTo("video from 127.0.0.2");
        assertThat(seen.get(PUBLIC)).containsExactly("/to/ auth=Bearer k-1", "/to/ auth=Bearer k-1", "/video auth=null");
    }

    /**
     * A POST (a webhook's) goes as a GET does: its body and type arrive, at the checked address only though the name
     * rebinds after its check, and with no redirects allowed a 302 is the answer, its {@code Location} never sent to.
     */
    @Test
    void aPostSendsItsBodyToTheCheckedAddressAndDoesNotFollowARedirectWhenNoneIsAllowed() throws Exception {
        int port = serve(PUBLIC, 0);
        serve(PRIVATE, port);
        AtomicInteger lookups = new AtomicInteger();
        PinnedFetcher fetcher = new PinnedFetcher(host -> lookups.incrementAndGet() == 1
                ? new InetAddress[] {PUBLIC} : new InetAddress[] {PRIVATE}, false);
        PinnedFetcher.Limits none = new PinnedFetcher.Limits(0, 0, PinnedFetcher.CREDENTIALS);
        byte[] event = "{\"type\":\"video.completed\"}".getBytes(StandardCharsets.UTF_8);

        try (PinnedResponse r = fetcher.post(URI.create("http://hooks.test:" + port + "/to/?http://hooks.test:" + port
                + "/video"), Map.of("webhook-id", List.of("msg_1")), event, "application/json", RULE, none,
                in(Duration.ofSeconds(20)))) {
            assertThat(r.status()).as("the redirect is the answer").isEqualTo(302);
            assertThat(r.header("Location")).isEqualTo("http://hooks.test:" + port + "/video");
        }

        assertThat(sent).as("stand-ins that got a request").containsOnlyKeys(PUBLIC);
        assertThat(sent.get(PUBLIC)).containsExactly("POST application/json {\"type\":\"video.completed\"}");
        assertThat(seen.get(PUBLIC)).as("the redirect's target got nothing").containsExactly("/to/ auth=null");
        assertThat(lookups).as("one lookup").hasValue(1);
    }

    @Test
    void redirectsPastTheLimitEndTheFetch() throws Exception {
        int port = serve(PUBLIC, 0);
        PinnedFetcher fetcher = new PinnedFetcher(host -> new InetAddress[] {PUBLIC}, false);
        String loop = "http://cdn.test:" + port + "/to/";
        URI uri = URI.create(loop + "?" + loop + "?" + loop + "?" + "http://cdn.test:" + port + "/video");
        PinnedFetcher.Limits two = new PinnedFetcher.Limits(2, 1000, Set.of());

        assertThatThrownBy(() -> fetcher.get(uri, Map.of(), RULE, two, in(Duration.ofSeconds(20))))
                .isInstanceOfSatisfying(FetchFailure.class, f -> assertThat(f.reason())
                        .isEqualTo(FetchFailure.Reason.TOO_MANY_REDIRECTS));
        assertThat(seen.get(PUBLIC)).hasSize(3);
    }

    @Test
    void aNameserverThatNeverAnswersEndsTheFetchAtItsDeadline() {
        CountDownLatch testOver = new CountDownLatch(1);
        PinnedFetcher fetcher = new PinnedFetcher(host -> {
            try {
                testOver.await(); // as InetAddress.getAllByName, no interrupt ends it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {PUBLIC};
        }, false);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() -> fetcher.get(
                    URI.create("http://silent.test/video"), Map.of(), RULE, LIMITS, in(Duration.ofMillis(300))))
                    .isInstanceOfSatisfying(FetchFailure.class, f -> assertThat(f.reason())
                            .isEqualTo(FetchFailure.Reason.LOOKUP_TIMED_OUT)), "the fetch waited on the nameserver");
        } finally {
            testOver.countDown();
        }
    }

    @Test
    void aBodyTricklingPastTheDeadlineEndsTheFetchTimedOut() throws Exception {
        CountDownLatch testOver = new CountDownLatch(1);
        HttpServer s = HttpServer.create(new InetSocketAddress(PUBLIC, 0), 16);
        s.createContext("/", ex -> {
            ex.sendResponseHeaders(200, 1000);
            try {
                for (int i = 0; i < 1000 && !testOver.await(50, java.util.concurrent.TimeUnit.MILLISECONDS); i++) {
                    ex.getResponseBody().write('x');
                    ex.getResponseBody().flush();
                }
            } catch (InterruptedException | IOException e) {
                // the fetch hung up
            }
            ex.close();
        });
        s.start();
        servers.add(s);
        PinnedFetcher fetcher = new PinnedFetcher(host -> new InetAddress[] {PUBLIC}, false);
        try {
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThatThrownBy(() -> body(fetcher.get(
                    URI.create("http://cdn.test:" + s.getAddress().getPort() + "/slow"), Map.of(), RULE, LIMITS,
                    in(Duration.ofMillis(500)))))
                    .isInstanceOfSatisfying(FetchFailure.class, f -> assertThat(f.reason())
                            .isEqualTo(FetchFailure.Reason.TIMED_OUT)), "the body was read past the deadline");
        } finally {
            testOver.countDown();
        }
    }

    /**
     * TLS goes to the pinned address but is verified against the URL's host name: a certificate for that name is
     * taken, one for another name is not, though both stand-ins are at the same checked address.
     */
    @Test
    void tlsIsVerifiedAgainstTheHostNameNotTheAddress() throws Exception {
        KeyStore ks = keyStore("cdn.test");
        SSLContext server = SSLContext.getInstance("TLS");
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        server.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(PUBLIC, 0), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(server));
        int port = serve(https, PUBLIC);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, new javax.net.ssl.TrustManager[] {trust}, null);
        PinnedFetcher fetcher = new PinnedFetcher(host -> new InetAddress[] {PUBLIC}, false, client.getSocketFactory(),
                trust);

        assertThat(body(fetcher.get(URI.create("https://cdn.test:" + port + "/video"), Map.of(), RULE, LIMITS,
                in(Duration.ofSeconds(20))))).isEqualTo("video from 127.0.0.2");
        assertThatThrownBy(() -> fetcher.get(URI.create("https://evil.test:" + port + "/video"), Map.of(), RULE, LIMITS,
                in(Duration.ofSeconds(20)))).isInstanceOf(javax.net.ssl.SSLPeerUnverifiedException.class);
        assertThat(seen.get(PUBLIC)).as("only the verified connection carried a request").hasSize(1);
    }

    /** A key pair and a certificate for {@code name}, made by the JDK's keytool. */
    KeyStore keyStore(String name) throws Exception {
        Path file = tmp.resolve("tls.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "tls", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "SAN=dns:" + name, "-validity", "2", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", "changeit").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            ks.load(in, "changeit".toCharArray());
        }
        return ks;
    }
}
