package io.framegate.provider;

import io.framegate.domain.OutputFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * docs/config.md's default hosts, read from the doc itself: the {@code base_url} row of "Provider and channel keys"
 * (and Luma's two hosts from its section, the {@code api_version} and {@code storage_url} defaults) and every
 * {@code base_url default ...} / {@code base_url: ... # the default} in the per-provider examples. Each type is loaded
 * without {@code base_url} through {@link ConfigLoader}, its channel is opened, and the URL of its first real request
 * is read where the HTTP client asks the JVM's {@link ProxySelector} which proxy to take; the test's selector records
 * it and answers with a closed local port, so nothing leaves the machine. The documented host must be what the code
 * asks for.
 */
class DocumentedDefaultsTest extends WireTest {
    static final Path DOC = Path.of("../docs/config.md");
    static final String REQUIRED = "**required**";
    static String doc;

    ProxySelector previous;
    Recorder recorder;

    @BeforeAll
    static void readDoc() throws IOException {
        doc = Files.readString(DOC);
    }

    @BeforeEach
    void recordProxyLookups() throws Exception {
        TestServiceAccounts.write(tmp, url() + "/token");
        wm.stubFor(post(urlEqualTo("/token"))
                .willReturn(okJson("{\"access_token\": \"ya29.t\", \"expires_in\": 3600, \"token_type\": \"Bearer\"}")));
        previous = ProxySelector.getDefault();
        recorder = new Recorder(closedPort());
        ProxySelector.setDefault(recorder);
    }

    @AfterEach
    void restoreProxySelector() {
        ProxySelector.setDefault(previous);
    }

    // ---- what the doc says

    /** The {@code base_url} row: type -> its default, {@link #REQUIRED}, or null (named in the type's section). */
    static Map<String, String> documentedBaseUrls() {
        Map<String, String> byType = new LinkedHashMap<>();
        for (String entry : splitOutsideParentheses(keyRow("base_url"))) {
            Matcher m = Pattern.compile("^(\\w+): (.*)$", Pattern.DOTALL).matcher(entry.strip());
            assertThat(m.matches()).as("base_url row entry '%s' reads 'type: default'", entry).isTrue();
            String main = outsideParentheses(m.group(2));
            Matcher url = Pattern.compile("`(https?://[^`]+)`").matcher(main);
            byType.put(m.group(1), main.contains(REQUIRED) ? REQUIRED : url.find() ? url.group(1) : null);
        }
        return byType;
    }

    static String keyRow(String key) {
        String prefix = "| `" + key + "` |";
        List<String> rows = doc.lines().filter(l -> l.startsWith(prefix)).toList();
        assertThat(rows).as("docs/config.md has one %s row", key).hasSize(1);
        String row = rows.get(0).strip();
        String[] cells = row.substring(2, row.length() - 2).split(" \\| ");
        assertThat(cells).as("the %s row has key, types, meaning", key).hasSize(3);
        return cells[2];
    }

    static List<String> splitOutsideParentheses(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '(') depth++;
            if (c == ')') depth--;
            if (c == ';' && depth == 0) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    static String outsideParentheses(String text) {
        StringBuilder out = new StringBuilder();
        int depth = 0;
        for (char c : text.toCharArray()) {
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (depth == 0) out.append(c);
        }
        return out.toString();
    }

    static String documented(String regex, String what) {
        Matcher m = Pattern.compile(regex).matcher(doc);
        if (!m.find()) fail("docs/config.md does not say " + what + " (looked for /" + regex + "/)");
        return m.group(1);
    }

    /** Every default named in a {@code yaml} example: {@code type: x  # base_url default URL}, {@code base_url: URL  # the default}. */
    static List<Map.Entry<String, String>> exampleDefaults() {
        List<Map.Entry<String, String>> found = new ArrayList<>();
        Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        Pattern type = Pattern.compile("^\\s*type: (\\w+)");
        Pattern inComment = Pattern.compile("#.*\\bbase_url default (https?://[^\\s()]+)");
        Pattern asValue = Pattern.compile("^\\s*base_url: (https?://\\S+)\\s+# the default");
        while (block.find()) {
            String current = null;
            for (String line : block.group(1).lines().toList()) {
                Matcher t = type.matcher(line);
                if (t.find()) current = t.group(1);
                Matcher d = inComment.matcher(line);
                Matcher v = asValue.matcher(line);
                String url = d.find() ? d.group(1) : v.find() ? v.group(1) : null;
                if (url != null) {
                    assertThat(current).as("the example naming default %s names its type first", url).isNotNull();
                    found.add(Map.entry(current, url));
                }
            }
        }
        return found;
    }

    // ---- the tests

    @Test
    void everyProviderTypeHasItsDocumentedDefaultRowAndTheExamplesAgreeWithIt() {
        Set<String> types = productionTypes();
        Set<String> typeRow = new TreeSet<>();
        Matcher m = Pattern.compile("`(\\w+)`").matcher(keyRow("type"));
        while (m.find()) typeRow.add(m.group(1));
        assertThat(typeRow).as("the type row of docs/config.md names every provider type").isEqualTo(types);
        assertThat(new TreeSet<>(documentedBaseUrls().keySet())).as("the base_url row names every provider type")
                .isEqualTo(types);

        List<Map.Entry<String, String>> examples = exampleDefaults();
        assertThat(examples).extracting(Map.Entry::getKey).as("the worked examples that name their default host")
                .contains("kling", "runway", "minimax", "seedance", "wan", "openrouter");
        Map<String, String> table = documentedBaseUrls();
        for (Map.Entry<String, String> e : examples) {
            assertThat(e.getValue()).as("docs/config.md example of %s vs its base_url row", e.getKey())
                    .isEqualTo(table.get(e.getKey()));
        }
    }

    @Test
    void eachTypeWithoutBaseUrlCallsItsDocumentedHost() throws Exception {
        Map<String, String> table = documentedBaseUrls();
        int checked = 0;
        for (Map.Entry<String, String> e : table.entrySet()) {
            String type = e.getKey();
            String documented = e.getValue();
            if (REQUIRED.equals(documented) || type.equals("luma") || type.equals("vertex")) continue; // below
            assertThat(documented).as("docs/config.md base_url default of %s", type).isNotNull();
            String handle = type.equals("gemini") ? "models/veo-3.1-generate-001/operations/op1" : "job-1";
            String prefix = documented + "/" + (type.equals("gemini") ? geminiVersion() + "/" : "");
            assertThat(firstPollUrl(type, "", handle)).as("%s without base_url (docs/config.md: %s)", type, documented)
                    .startsWith(prefix);
            checked++;
        }
        assertThat(checked).isGreaterThanOrEqualTo(9);
    }

    @Test
    void lumaWithoutBaseUrlCallsEachOfItsTwoDocumentedHosts() throws Exception {
        assertThat(documentedBaseUrls().get("luma")).as("luma's row names no single host (its section does)").isNull();
        String agents = documented("\\*\\*Agents API\\*\\* \\(`(https://[^`]+)`", "the Agents API host");
        String dreamMachine = documented("\\*\\*Dream Machine API\\*\\* \\(`(https://[^`]+)`", "the Dream Machine API host");
        assertThat(firstPollUrl("luma", "", "agents/g1")).startsWith(agents + "/");
        assertThat(firstPollUrl("luma", "", "dream-machine/g1")).startsWith(dreamMachine + "/");
    }

    @Test
    void vertexPutsItsLocationIntoTheDocumentedHostAndGlobalUsesTheBareOne() throws Exception {
        String row = keyRow("base_url");
        String template = documentedBaseUrls().get("vertex");
        assertThat(template).as("vertex's documented default is a template").contains("{location}");
        Matcher g = Pattern.compile("vertex: [^;]*\\(`global`: `(https://[^`]+)`\\)").matcher(row);
        assertThat(g.find()).as("the base_url row names vertex's host for location global").isTrue();
        String version = documented("\\| `api_version` \\|[^|]*\\|[^|]*vertex default `([^`]+)`", "vertex's api_version");

        for (String location : List.of("europe-west4", "us-central1")) {
            String op = "projects/P/locations/" + location + "/publishers/google/models/veo-3.1-generate-001/operations/o1";
            assertThat(firstPollUrl("vertex", location, op)).as("vertex at %s without base_url", location)
                    .startsWith(template.replace("{location}", location) + "/" + version + "/projects/P/locations/" + location + "/");
        }
        String op = "projects/P/locations/global/publishers/google/models/veo-3.1-generate-001/operations/o1";
        assertThat(firstPollUrl("vertex", "global", op)).startsWith(g.group(1) + "/" + version + "/projects/P/locations/global/");
    }

    @Test
    void vertexDownloadsGcsResultsFromTheDocumentedStorageHost() throws Exception {
        String storage = documented("\\| `storage_url` \\|[^|]*\\|[^|]*default `(https://[^`]+)`", "the storage_url default");
        FramegateConfig cfg = load("vertex", "us-central1");
        try (VideoUpstream up = cfg.channels().get("p").settings().open(cfg.settings())) {
            Path dir = Files.createDirectories(tmp.resolve("out"));
            OutputFiles out = new OutputFiles(dir.resolve("v.mp4"), dir.resolve("t.jpg"), dir.resolve("s.jpg"), dir);
            assertThatThrownBy(() -> up.fetch("op", new ResultRef("gs://bucket/dir/v.mp4", null, "video/mp4"), 0, out,
                    Duration.ofSeconds(5))).isInstanceOf(UpstreamException.class);
        }
        assertThat(recorder.asked).hasSize(1);
        assertThat(recorder.asked.get(0).toString()).startsWith(storage + "/storage/v1/b/bucket/o/");
    }

    @Test
    void anOpenAiCompatibleProviderWithoutBaseUrlIsRefusedNamingTheField() {
        assertThat(documentedBaseUrls().get("openai")).as("docs/config.md: openai base_url is required").isEqualTo(REQUIRED);
        assertThatThrownBy(() -> new ConfigLoader(CATALOG, Map.of("K", "sk-x")::get).parse("""
                providers:
                  agg: {type: openai, api_key_env: K}
                """, "framegate.yaml", tmp))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).singleElement().asString()
                        .startsWith("providers.agg.base_url: missing; an OpenAI-compatible upstream needs its URL up to /v1"));
        assertThat(recorder.asked).isEmpty();
    }

    // ---- what the code does

    static String geminiVersion() {
        return documented("\\| `api_version` \\|[^|]*\\|[^|]*gemini default `([^`]+)`", "gemini's api_version");
    }

    Set<String> productionTypes() {
        Set<String> types = new TreeSet<>(ProviderFactories.discover().types());
        types.remove(new EchoProvider().type());
        return types;
    }

    /** One provider {@code p} of {@code type}, every required key but {@code base_url}. */
    FramegateConfig load(String type, String location) {
        String keys = switch (type) {
            case "kling" -> "access_key_env: AK, secret_key_env: SK";
            case "vertex" -> "project: P, location: " + location + ", credentials_file: sa.json";
            default -> "api_key_env: K";
        };
        return new ConfigLoader(CATALOG, Map.of("K", "k-1", "AK", "ak-1", "SK", "sk-1")::get).parse("""
                providers:
                  p: {type: %s, %s}
                """.formatted(type, keys), "framegate.yaml", tmp);
    }

    /** The URL of the one request a poll sends (it goes nowhere: its proxy is a closed port). */
    String firstPollUrl(String type, String location, String handle) throws Exception {
        recorder.asked.clear();
        FramegateConfig cfg = load(type, location);
        try (VideoUpstream up = cfg.channels().get("p").settings().open(cfg.settings())) {
            assertThatThrownBy(() -> up.poll(handle, Duration.ofSeconds(5))).isInstanceOf(UpstreamException.class);
        }
        assertThat(recorder.asked).as("requests of %s's poll", type).hasSize(1);
        return recorder.asked.get(0).toString();
    }

    static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Records every non-local URL a client asks about and sends it to a closed local port; local ones go direct. */
    static final class Recorder extends ProxySelector {
        final List<URI> asked = new CopyOnWriteArrayList<>();
        final Proxy dead;

        Recorder(int port) {
            dead = new Proxy(Proxy.Type.HTTP, new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        }

        @Override
        public List<Proxy> select(URI uri) {
            String host = uri.getHost();
            if (host == null || host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")) {
                return List.of(Proxy.NO_PROXY);
            }
            asked.add(uri);
            return List.of(dead);
        }

        @Override
        public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
        }
    }
}
