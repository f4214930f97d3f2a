package io.framegate.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestImages;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console in a real headless Chromium (Debian's {@code chromium} and {@code chromium-driver}), driven by
 * Selenium against a real server on a random port rendering with the offline engine. Screenshots go to
 * {@code server/target/console-screenshots/}. Skipped, saying why, where Chromium or its driver is missing; CI
 * ({@code .ci/run}) installs both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
    private static final Path DRIVER = Paths.get("/usr/bin/chromedriver");
    static final Path SHOTS = Paths.get("target", "console-screenshots");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path dir;
    private FramegateServer server;
    private String base;
    private String key;
    private File first;
    private File last;
    private ChromeDriver driver;
    /** The server's access log: which requests the page made (a console that polls would show GETs of its videos). */
    private final ByteArrayOutputStream accessLog = new ByteArrayOutputStream();

    @BeforeAll
    void start() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "ASSUMPTION: the console browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", "
                        + DRIVER + "); `apt-get install chromium chromium-driver` (.ci/run does) - skipped");
        dir = Files.createTempDirectory("framegate-console");
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(new PrintStream(accessLog, true, StandardCharsets.UTF_8))
                .withPollAfterMillis(250);
        // as `framegate serve` builds it: every surface, the offline engine, the media finisher
        server = FramegateServer.builder(options).finisher(new MediaFinisher()).build().start();
        key = server.keys().create("browser").secret();
        base = "http://127.0.0.1:" + server.port();
        first = dir.resolve("start.png").toFile();
        last = dir.resolve("end.png").toFile();
        Files.write(first.toPath(), TestImages.png(320, 180, new Color(40, 120, 220)));
        Files.write(last.toPath(), TestImages.png(320, 180, new Color(230, 150, 40)));
        Files.createDirectories(SHOTS);

        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1100", "--autoplay-policy=no-user-gesture-required", "--mute-audio");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, o);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    void stop() throws Exception {
        if (driver != null) driver.quit();
        if (server != null) server.close();
    }

    @BeforeEach
    void openConsole() {
        driver.get(base + "/");
        js("sessionStorage.clear();"); // every test pastes the key into a fresh tab state
        driver.navigate().refresh();
        waitFor(10).until(d -> d.findElement(By.id("page")).getText().contains("Paste an API key"));
        driver.findElement(By.id("api-key")).sendKeys(key);
        waitFor(20).until(d -> d.findElement(By.id("key-state")).getText().equals("key accepted"));
    }

    private WebDriverWait waitFor(int seconds) {
        WebDriverWait w = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // pages re-render parts as jobs change
        return w;
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    private void shot(String name, WebElement show) throws Exception {
        js("arguments[0].scrollIntoView({block: 'center'});", show);
        shot(name);
    }

    private void shot(String name) throws Exception {
        Files.write(SHOTS.resolve(name), driver.getScreenshotAs(OutputType.BYTES));
    }

    /** Plays the video and waits until its currentTime has advanced: the MP4 really decodes and plays. */
    private void assertPlays(WebElement video) {
        js("arguments[0].muted = true; arguments[0].currentTime = 0; arguments[0].play();", video);
        double start = ((Number) js("return arguments[0].currentTime;", video)).doubleValue();
        waitFor(30).until(d -> ((Number) js("return arguments[0].currentTime;", video)).doubleValue() > start + 0.25);
        assertThat(js("return arguments[0].error === null && arguments[0].videoWidth;", video)).isEqualTo(320L);
    }

    private void chooseInputs() {
        driver.findElement(By.id("prompt")).sendKeys("slow push through the valley");
        driver.findElement(By.id("first-frame")).sendKeys(first.getAbsolutePath());
        driver.findElement(By.id("last-frame")).sendKeys(last.getAbsolutePath());
        new Select(driver.findElement(By.id("seconds"))).selectByValue("2");
        new Select(driver.findElement(By.id("size"))).selectByValue("320x180");
    }

    private List<String> options(String selectId, boolean enabledOnly) {
        return new Select(driver.findElement(By.id(selectId))).getOptions().stream()
                .filter(e -> !enabledOnly || e.isEnabled()).map(e -> e.getAttribute("value")).toList();
    }

    @Test
    void tryPageRendersTwoFramesWithFramegateLocalAndTheResultPlays() throws Exception {
        waitFor(20).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#model option[value='framegate-local']")));
        assertThat(new Select(driver.findElement(By.id("model"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("framegate-local");
        chooseInputs();
        WebElement submit = driver.findElement(By.id("submit"));
        waitFor(10).until(ExpectedConditions.elementToBeClickable(submit));
        // a reference image animates alone on framegate-local: with keyframes chosen its slot is locked
        assertThat(driver.findElement(By.id("reference")).isEnabled()).isFalse();
        js("window.__statuses = []; new MutationObserver(() => window.__statuses.push("
                + "document.getElementById('status').textContent)).observe(document.getElementById('status'),"
                + " {childList: true, characterData: true, subtree: true});");
        submit.click();

        WebElement video = waitFor(180).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("video.result")));
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) js("return window.__statuses;");
        assertThat(seen).as("progress shown while it ran").anyMatch(s -> s.matches(".*(queued|in_progress) \\d+%.*"));
        assertThat(seen).anyMatch(s -> s.contains("completed 100%"));
        assertFollowedByEventsNotPolled(video.getAttribute("data-video-id"));
        String src = video.getAttribute("src");
        assertThat(src).startsWith(base + "/v1/videos/").contains("/content/signed?").doesNotContain(key);
        assertPlays(video);
        WebElement download = driver.findElement(By.cssSelector("figure.card a.download"));
        assertThat(download.getAttribute("href")).isEqualTo(src);
        assertThat(driver.findElement(By.cssSelector("figure.card .scrub")).isDisplayed()).isTrue();
        assertThat(video.getAttribute("poster")).contains("variant=thumbnail");
        shot("try-result.png", video);

        // the key lives in session storage only: not in the address, not in the page's links
        assertThat(driver.getCurrentUrl()).doesNotContain(key);
        assertThat(js("return sessionStorage.getItem('framegate.apiKey');")).isEqualTo(key);
        assertThat(js("return localStorage.length;")).isEqualTo(0L);
        assertThat(driver.getPageSource()).doesNotContain(key);
        assertNoCspViolations();
    }

    @Test
    void tryFormFollowsTheChosenModelsRules() throws Exception {
        waitFor(20).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#model option[value='sora-2']")));
        Select model = new Select(driver.findElement(By.id("model")));

        model.selectByValue("sora-2"); // reference style: one reference slot, 4/8/12 s, two sizes, a prompt needed
        assertThat(driver.findElement(By.id("first-frame")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("last-frame")).isDisplayed()).isFalse();
        assertThat(driver.findElement(By.id("reference")).isDisplayed()).isTrue();
        assertThat(options("seconds", false)).containsExactly("4", "8", "12");
        assertThat(options("size", false)).containsExactly("720x1280", "1280x720");
        assertThat(driver.findElement(By.id("submit")).isEnabled()).isFalse();
        assertThat(driver.findElement(By.id("problems")).getText()).contains("sora-2 needs a prompt");
        driver.findElement(By.id("prompt")).sendKeys("a lighthouse at dusk");
        waitFor(5).until(d -> d.findElement(By.id("submit")).isEnabled());

        model.selectByValue("veo-3.1-generate-001"); // keyframes: first, last, up to 3 asset references
        assertThat(driver.findElement(By.id("first-frame")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("last-frame")).isDisplayed()).isTrue();
        assertThat(driver.findElement(By.id("reference")).getAttribute("multiple")).isNotNull();
        new Select(driver.findElement(By.id("seconds"))).selectByValue("4");
        new Select(driver.findElement(By.id("size"))).selectByValue("1920x1080"); // 1080p only at 8 s
        assertThat(new Select(driver.findElement(By.id("seconds"))).getFirstSelectedOption().getAttribute("value")).isEqualTo("8");
        assertThat(options("seconds", true)).containsExactly("8");
        new Select(driver.findElement(By.id("size"))).selectByValue("1280x720");
        assertThat(options("seconds", true)).containsExactly("4", "6", "8");
        driver.findElement(By.id("last-frame")).sendKeys(last.getAbsolutePath()); // a last frame needs a first frame
        assertThat(driver.findElement(By.id("problems")).getText()).contains("a last frame needs a first frame");
        assertThat(driver.findElement(By.id("submit")).isEnabled()).isFalse();
        // dropped onto its box (a drop event carrying a PNG file, as a drag from the desktop delivers it)
        js("const dt = new DataTransfer();"
                + "dt.items.add(new File([Uint8Array.from(atob(arguments[1]), c => c.charCodeAt(0))], 'dropped.png', {type: 'image/png'}));"
                + "arguments[0].dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));",
                driver.findElement(By.cssSelector("label.drop[data-slot='first_frame']")),
                Base64.getEncoder().encodeToString(Files.readAllBytes(first.toPath())));
        waitFor(5).until(d -> d.findElement(By.id("submit")).isEnabled());
        assertThat(driver.findElement(By.cssSelector("label.drop[data-slot='first_frame'] .previews img")).getAttribute("alt"))
                .isEqualTo("dropped.png");
        assertThat(driver.findElement(By.id("reference")).isEnabled()).as("assets exclude keyframes").isFalse();
        shot("try-rules-veo.png");
    }

    @Test
    void compareRendersTwoModelsSideBySideAndPlaysThemInSync() throws Exception {
        driver.get(base + "/#compare");
        waitFor(20).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("input.compare-model[value='framegate-local-fast']")));
        driver.findElement(By.cssSelector("input.compare-model[value='framegate-local']")).click();
        assertThat(driver.findElement(By.id("submit")).isEnabled()).as("one model is not a comparison").isFalse();
        driver.findElement(By.cssSelector("input.compare-model[value='framegate-local-fast']")).click();
        chooseInputs();
        waitFor(10).until(d -> d.findElement(By.id("submit")).isEnabled());
        driver.findElement(By.id("submit")).click();

        waitFor(240).until(d -> d.findElements(By.cssSelector("#compare-results video.result")).size() == 2);
        List<WebElement> cols = driver.findElements(By.cssSelector("#compare-results .col"));
        assertThat(cols).extracting(c -> c.getAttribute("data-model")).containsExactly("framegate-local", "framegate-local-fast");
        for (WebElement col : cols) {
            assertThat(col.findElement(By.cssSelector(".cost")).getText()).isEqualTo("$0.00");
            assertThat(col.findElement(By.cssSelector(".wall")).getText()).matches("\\d+\\.\\d s|\\d+ min \\d+ s");
            assertThat(col.findElements(By.cssSelector(".fidelity"))).hasSize(1);
        }
        // progress came over the events stream: no GET of the videos themselves (a polling console makes dozens)
        for (WebElement col : cols) assertFollowedByEventsNotPolled(col.findElement(By.cssSelector("video.result")).getAttribute("data-video-id"));
        // each result shows its keyframe fidelity, the numbers the API gives, and that the local render honoured both
        for (WebElement col : cols) {
            String id = col.findElement(By.cssSelector("video.result")).getAttribute("data-video-id");
            JsonNode fidelity = JSON.readTree(get("/v1/videos/" + id).body()).path("framegate").path("fidelity");
            assertThat(fidelity.path("honoured").asBoolean()).as("the API says the local render honoured its keyframes").isTrue();
            WebElement shown = col.findElement(By.cssSelector(".fidelity"));
            assertThat(shown.getAttribute("data-honoured")).isEqualTo("true");
            assertThat(shown.findElement(By.cssSelector(".verdict")).getText()).isEqualTo("\u2713 keyframes honoured");
            for (String end : List.of("first", "last")) {
                JsonNode api = fidelity.path(end + "_frame");
                assertThat(api.isObject()).as(end + " frame scored by the API").isTrue();
                String psnr = shown.findElement(By.cssSelector("tr." + end + " .psnr")).getText();
                String ssim = shown.findElement(By.cssSelector("tr." + end + " .ssim")).getText();
                assertThat(psnr).endsWith(" dB");
                assertThat(Double.parseDouble(psnr.replace(" dB", ""))).isCloseTo(api.path("psnr").asDouble(), org.assertj.core.data.Offset.offset(0.051));
                assertThat(Double.parseDouble(ssim)).isCloseTo(api.path("ssim").asDouble(), org.assertj.core.data.Offset.offset(0.00051));
            }
            assertThat(shown.findElement(By.cssSelector("a.fidelity-help")).getAttribute("title")).contains("23 dB");
        }
        shot("compare-fidelity.png", cols.get(0).findElement(By.cssSelector(".fidelity")));
        List<WebElement> videos = driver.findElements(By.cssSelector("#compare-results video.result"));
        waitFor(10).until(d -> d.findElement(By.id("play-all")).isEnabled());
        // playing one plays the other (in sync)
        js("arguments[0].pause(); arguments[1].pause(); arguments[0].currentTime = 0;", videos.get(0), videos.get(1));
        js("arguments[0].play();", videos.get(0));
        waitFor(30).until(d -> ((Number) js("return arguments[0].currentTime;", videos.get(1))).doubleValue() > 0.25);
        assertThat(js("return arguments[0].paused;", videos.get(1))).isEqualTo(false);
        double drift = ((Number) js("return Math.abs(arguments[0].currentTime - arguments[1].currentTime);",
                videos.get(0), videos.get(1))).doubleValue();
        assertThat(drift).as("the two players run together").isLessThan(0.5);
        shot("compare-two-models.png", videos.get(0));
        assertNoCspViolations();
    }

    @Test
    void jobsPageFiltersCancelsAndDeletes() throws Exception {
        String done = createViaApi("framegate-local-fast", "1", "64x36");
        awaitStatus(done, "completed");
        String longOne = createViaApi("framegate-local", "30", "1280x720"); // long enough to cancel while queued or running

        driver.get(base + "/#jobs");
        waitFor(20).until(d -> !d.findElements(By.cssSelector("#jobs-table tr[data-video-id='" + longOne + "']")).isEmpty());
        new Select(driver.findElement(By.id("jobs-status"))).selectByValue("completed");
        waitFor(10).until(d -> d.findElements(By.cssSelector("#jobs-table tr[data-video-id='" + longOne + "']")).isEmpty());
        assertThat(driver.findElements(By.cssSelector("#jobs-table tr[data-video-id='" + done + "']"))).hasSize(1);
        new Select(driver.findElement(By.id("jobs-status"))).selectByValue("");
        new Select(driver.findElement(By.id("jobs-model"))).selectByValue("framegate-local");
        waitFor(10).until(d -> d.findElements(By.cssSelector("#jobs-table tr[data-video-id='" + done + "']")).isEmpty());

        driver.findElement(By.cssSelector("#jobs-table tr[data-video-id='" + longOne + "']")).click();
        waitFor(10).until(ExpectedConditions.elementToBeClickable(By.id("job-cancel"))).click();
        waitFor(60).until(d -> d.findElement(By.cssSelector("#job-detail .job-status")).getText().startsWith("cancelled"));
        assertThat(awaitStatus(longOne, "failed").path("error").path("code").asText()).isEqualTo("cancelled");
        shot("jobs-cancelled.png");

        new Select(driver.findElement(By.id("jobs-model"))).selectByValue("");
        waitFor(10).until(d -> !d.findElements(By.cssSelector("#jobs-table tr[data-video-id='" + done + "']")).isEmpty());
        driver.findElement(By.cssSelector("#jobs-table tr[data-video-id='" + done + "']")).click();
        waitFor(10).until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#job-detail video.result")));
        assertThat(driver.findElement(By.id("job-detail")).getText()).contains("engine_mode");
        // its fidelity: the request gave a first frame only, so the last frame says so instead of a blank
        WebElement fidelity = driver.findElement(By.cssSelector("#job-detail .fidelity"));
        assertThat(fidelity.getAttribute("data-scored")).isEqualTo("true");
        assertThat(fidelity.findElement(By.cssSelector("tr.first .psnr")).getText()).matches("\\d+\\.\\d dB");
        assertThat(fidelity.findElement(By.cssSelector("tr.last")).getText()).isEqualTo("last frame no keyframe");
        driver.findElement(By.id("job-delete")).click();
        driver.switchTo().alert().accept();
        waitFor(10).until(d -> d.findElements(By.cssSelector("#jobs-table tr[data-video-id='" + done + "']")).isEmpty());
        assertThat(get("/v1/videos/" + done).statusCode()).isEqualTo(404);
    }

    @Test
    void aDroppedEventStreamIsResumedWithLastEventIdAndStillNotPolled() throws Exception {
        String id = createViaApi("framegate-local", "8", "1280x720"); // runs long enough to have events before its end
        // the page's fetch, cut after the stream's first event as a dropped connection would cut it
        js("window.__watch = null; window.__cutAt = null; window.__eventCalls = [];"
                + "const realFetch = window.fetch; let cut = false;"
                + "window.fetch = async (url, init) => {"
                + "  const res = await realFetch(url, init);"
                + "  if (!String(url).endsWith('/events')) return res;"
                + "  window.__eventCalls.push((init && init.headers && init.headers['Last-Event-ID']) || null);"
                + "  if (cut) return res;"
                + "  cut = true;"
                + "  const reader = res.body.getReader(), dec = new TextDecoder(); let seen = '';"
                + "  return new Response(new ReadableStream({ async pull(c) {"
                + "    const r = await reader.read();"
                + "    if (r.done) { c.close(); return; }"
                + "    c.enqueue(r.value); seen += dec.decode(r.value, {stream: true});"
                + "    const m = /(?:^|\\n)id: (\\d+)\\n(?:.*\\n)*?data: .*\\n\\n/.exec(seen);"
                + "    if (m) { window.__cutAt = m[1]; reader.cancel(); c.error(new TypeError('network connection lost')); }"
                + "  }}), {status: res.status, headers: res.headers});"
                + "};"
                + "const updates = [];"
                + "import('/console/api.js').then(m => m.watchVideo(arguments[0], v => updates.push(v.status + ' ' + v.progress)))"
                + "  .then(v => { window.fetch = realFetch; window.__watch = {status: v.status, updates}; },"
                + "        e => { window.fetch = realFetch; window.__watch = {error: String(e)}; });", id);
        waitFor(180).until(d -> js("return window.__watch;") != null);
        @SuppressWarnings("unchecked")
        Map<String, Object> watch = (Map<String, Object>) js("return window.__watch;");
        assertThat(watch).doesNotContainKey("error").containsEntry("status", "completed");
        String cutAt = (String) js("return window.__cutAt;");
        assertThat(cutAt).as("the first stream was cut after an event").isNotNull();
        @SuppressWarnings("unchecked")
        List<Object> calls = (List<Object>) js("return window.__eventCalls;");
        assertThat(calls).as("reconnected once, resuming after the last event it had").containsExactly(null, cutAt);
        @SuppressWarnings("unchecked")
        List<String> updates = (List<String>) watch.get("updates");
        assertThat(updates).last().isEqualTo("completed 100");
        assertThat(updates).as("no event twice after the resume").doesNotHaveDuplicates();
        assertFollowedByEventsNotPolled(id);
        waitFor(10).until(d -> browserRequests(id + "/events") == 2);
    }

    @Test
    void theConsolePollsOnlyWhenTheEventStreamFails() throws Exception {
        String id = createViaApi("framegate-local-fast", "1", "64x36");
        // the stream endpoint answers 503 (e.g. a proxy that does not pass event streams): the page polls instead
        js("window.__watch = null; const realFetch = window.fetch;"
                + "window.fetch = async (url, init) => String(url).endsWith('/events')"
                + "  ? new Response('{\"error\":{\"message\":\"unavailable\"}}', {status: 503, headers: {'Content-Type': 'application/json'}})"
                + "  : realFetch(url, init);"
                + "import('/console/api.js').then(m => m.watchVideo(arguments[0], () => {}))"
                + "  .then(v => { window.fetch = realFetch; window.__watch = {status: v.status}; },"
                + "        e => { window.fetch = realFetch; window.__watch = {error: String(e)}; });", id);
        waitFor(120).until(d -> js("return window.__watch;") != null);
        assertThat(js("return window.__watch;")).isEqualTo(Map.of("status", "completed"));
        assertThat(browserRequests(id)).as("polled GET /v1/videos/{id}").isPositive();
        assertThat(browserRequests(id + "/events")).isZero();
    }

    @Test
    void fidelityViewFlagsAKeyframeNotHonouredAndSaysWhenNothingWasScored() {
        // a cloud result that started elsewhere (no local render does): the component as the pages use it
        js("window.__views = null; import('/console/fidelity.js').then(m => {"
                + "  const bad = m.fidelityView({first_frame: {psnr: 14.42, ssim: 0.7231}, last_frame: {psnr: 39.9, ssim: 0.99}, honoured: false});"
                + "  const none = m.fidelityView(undefined);"
                + "  document.body.append(bad, none);"
                + "  window.__views = [bad.dataset.honoured, bad.querySelector('.verdict').textContent,"
                + "    bad.querySelector('tr.first .psnr').textContent, bad.querySelector('tr.first .ssim').textContent,"
                + "    none.dataset.scored, none.textContent]; });");
        waitFor(10).until(d -> js("return window.__views;") != null);
        @SuppressWarnings("unchecked")
        List<String> views = (List<String>) js("return window.__views;");
        assertThat(views.subList(0, 5)).containsExactly("false", "\u2717 keyframes NOT honoured", "14.4 dB", "0.723", "false");
        assertThat(views.get(5)).startsWith("not scored").contains("no first or last frame");
    }

    /** The page read video {@code id}'s events stream and never polled {@code GET /v1/videos/{id}}. */
    private void assertFollowedByEventsNotPolled(String id) {
        assertThat(id).startsWith("video_");
        // the server logs a stream when it closes, just after the page read its end event
        waitFor(10).withMessage(() -> "the page never read GET /v1/videos/" + id + "/events; it polled GET /v1/videos/"
                + id + " " + browserRequests(id) + " times").until(d -> browserRequests(id + "/events") >= 1);
        assertThat(browserRequests(id)).as("GET /v1/videos/" + id + " from the page (polling)").isZero();
    }

    /** GETs of {@code /v1/videos/{rest}} the browser made, from the server's access log (not this test's own calls). */
    private long browserRequests(String rest) {
        String path = "/v1/videos/" + rest;
        return accessLog.toString(StandardCharsets.UTF_8).lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (Exception e) {
                throw new AssertionError("access log line: " + l, e);
            }
        }).filter(l -> l.path("method").asText().equals("GET") && l.path("path").asText().equals(path)
                && l.path("user_agent").asText().contains("Chrome")).count();
    }

    private void assertNoCspViolations() {
        List<String> problems = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to")).toList();
        assertThat(problems).isEmpty();
    }

    private String createViaApi(String model, String seconds, String size) throws Exception {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(64, 36, Color.GREEN));
        String body = "{\"model\":\"" + model + "\",\"seconds\":\"" + seconds + "\",\"size\":\"" + size
                + "\",\"frame_images\":[{\"image_url\":\"" + png + "\",\"frame_type\":\"first_frame\"}]}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/videos"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("id").asText();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode awaitStatus(String id, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        JsonNode v = null;
        while (System.nanoTime() < deadline) {
            v = JSON.readTree(get("/v1/videos/" + id).body());
            if (v.path("status").asText().equals(status)) return v;
            Thread.sleep(100);
        }
        throw new AssertionError(id + " did not reach " + status + ": " + v);
    }
}
