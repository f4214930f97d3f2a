package io.framegate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code framegate webhooks add|list|remove|deliveries} on a data directory without a server, and through one. */
class WebhooksCommandTest {
    @TempDir
    Path dir;

    CliRun cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--data";
        all[args.length + 1] = dir.resolve("data").toString();
        return CliRun.of(all);
    }

    @Test
    void addPrintsTheSecretLastListShowsNoSecretRemoveEndsItAndPrivateTargetsAreRefused() {
        assertThat(cli("keys", "create", "--name", "ci").code()).isZero();
        // a public address literal: checked without a name lookup, not contacted when added
        CliRun added = cli("webhooks", "add", "--key", "ci", "--url", "https://93.184.216.34/hooks",
                "--events", "video.completed,video.failed");
        assertThat(added.code()).as(added.err()).isZero();
        String secret = KeysCommandTest.lastWord(added.out());
        assertThat(secret).startsWith("whsec_").hasSizeGreaterThan(40);
        assertThat(added.out()).contains("video.completed,video.failed").contains("not shown again");
        String id = added.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
        assertThat(id).startsWith("whep_");

        CliRun list = cli("webhooks", "list", "--key", "ci");
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains(id).contains("https://93.184.216.34/hooks").doesNotContain(secret);

        CliRun removed = cli("webhooks", "remove", id);
        assertThat(removed.code()).as(removed.err()).isZero();
        assertThat(removed.out().lines().skip(1).findFirst().orElseThrow()).doesNotEndWith("-");

        CliRun local = cli("webhooks", "add", "--key", "ci", "--url", "http://127.0.0.1:8081/hook");
        assertThat(local.code()).isEqualTo(2);
        assertThat(local.err()).contains("private").contains("FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS=true");
        CliRun badEvent = cli("webhooks", "add", "--key", "ci", "--url", "https://93.184.216.34/h", "--events", "video.done");
        assertThat(badEvent.code()).isEqualTo(2);
        assertThat(badEvent.err()).contains("video.done").contains("video.expired");
        CliRun noKey = cli("webhooks", "add", "--key", "nobody", "--url", "https://93.184.216.34/h");
        assertThat(noKey.err()).contains("nobody");

        CliRun log = cli("webhooks", "deliveries");
        assertThat(log.code()).as(log.err()).isZero();
        assertThat(log.out()).startsWith("ID");
    }
    /**
     * docs/events.md: like {@code keys}, the commands go through the admin API of the server running on {@code --data}
     * (its database is then the server's to write), or of the server named by {@code --server URL}.
     */
    @Test
    void withAServerRunningTheCommandsGoThroughItsAdminApi() throws Exception {
        Path data = dir.resolve("data");
        Path config = dir.resolve("framegate.yaml");
        java.nio.file.Files.writeString(config, "limits:\n  max_queued_jobs: 100\n");
        String id;
        try (ServerProcess s = ServerProcess.start(data, config, dir.resolve("logs"), "serve")) {
            assertThat(cli("keys", "create", "--name", "ci").code()).isZero();
            CliRun added = cli("webhooks", "add", "--key", "ci", "--url", "https://93.184.216.34/hooks");
            assertThat(added.code()).as(added.err()).isZero();
            assertThat(added.out()).contains("the server at http://127.0.0.1:" + s.port);
            id = added.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];
            assertThat(id).startsWith("whep_");
            // --server: the same admin API named explicitly, with the data directory's admin token
            CliRun listed = CliRun.of("webhooks", "list", "--server", s.base(), "--data", data.toString());
            assertThat(listed.code()).as(listed.err()).isZero();
            assertThat(listed.out()).contains(id).contains("https://93.184.216.34/hooks");
            CliRun removed = cli("webhooks", "remove", id);
            assertThat(removed.code()).as(removed.err()).isZero();
        }
        // the server is gone: the CLI reads the database itself and finds what the server wrote (removed: an end time)
        CliRun list = cli("webhooks", "list", "--key", "ci");
        assertThat(list.code()).as(list.err()).isZero();
        String row = list.out().lines().filter(l -> l.startsWith(id)).findFirst().orElseThrow();
        assertThat(row).doesNotEndWith("-");
    }
}
