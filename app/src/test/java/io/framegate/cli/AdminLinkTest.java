package io.framegate.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stale {@code server.json} (its pid reused, another service on its port) must not get the admin token: the CLI
 * checks the process start and the instance nonce before it sends anything with the token.
 */
class AdminLinkTest {
    @TempDir
    Path dir;
    HttpServer other;
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    volatile String answeredNonce = "someone-else";

    @BeforeEach
    void anotherServiceOnLoopback() throws Exception {
        other = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        other.createContext("/", x -> {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth != null) authorizations.add(auth);
            byte[] body = (x.getRequestURI().getPath().equals("/admin/v1/instance")
                    ? "{\"object\": \"instance\", \"nonce\": \"" + answeredNonce + "\"}" : "{}").getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        other.start();
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/admin.token"), "fga_the-admin-token-must-not-leak-000000000");
    }

    @AfterEach
    void stop() {
        other.stop(0);
    }

    void serverJson(String nonce, long startedAt) throws Exception {
        Files.writeString(dir.resolve("data/server.json"), "{\"url\": \"http://127.0.0.1:" + other.getAddress().getPort()
                + "\", \"pid\": " + ProcessHandle.current().pid() + ", \"nonce\": \"" + nonce + "\", \"started_at\": "
                + startedAt + "}");
    }

    static long myStart() {
        return ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli();
    }

    String whereAfterAList() throws Exception {
        try (AdminLink link = AdminLink.open(dir.resolve("data"), null)) {
            link.send("GET", "/admin/v1/keys", null);
            return link.where();
        }
    }

    @Test
    void aServiceAnsweringAnotherNonceGetsNoTokenAndTheDatabaseIsUsed() throws Exception {
        serverJson("the-nonce-serve-wrote", myStart()); // the pid is alive (this JVM) but the port's service is not it
        assertThat(whereAfterAList()).startsWith("the database of");
        assertThat(authorizations).as("no admin token reached the other service").isEmpty();
    }

    @Test
    void aReusedPidIsNotTakenForTheServer() throws Exception {
        answeredNonce = "the-nonce-serve-wrote";
        serverJson("the-nonce-serve-wrote", myStart() - 3_600_000); // this pid belonged to a process started an hour earlier
        assertThat(whereAfterAList()).startsWith("the database of");
        assertThat(authorizations).isEmpty();
    }

    @Test
    void theServerThatProvesItsNonceOnLoopbackGetsTheToken() throws Exception {
        answeredNonce = "the-nonce-serve-wrote";
        serverJson("the-nonce-serve-wrote", myStart());
        assertThat(whereAfterAList()).startsWith("the server at http://127.0.0.1:");
        assertThat(authorizations).containsOnly("Bearer fga_the-admin-token-must-not-leak-000000000");
        assertThat(AdminLink.loopback("http://10.0.0.5:8080")).as("a non-loopback URL gets no token").isFalse();
        assertThat(AdminLink.loopback("http://[::1]:8080")).isTrue();
    }
}
