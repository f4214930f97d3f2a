package io.framegate.server.openai;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.HttpResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.videos.Video;
import com.openai.models.videos.VideoCreateParams;
import com.openai.models.videos.VideoDeleteResponse;
import com.openai.models.videos.VideoDownloadContentParams;
import com.openai.models.videos.VideoExtendParams;
import com.openai.models.videos.VideoListPage;
import com.openai.models.videos.VideoListParams;
import com.openai.models.videos.VideoRemixParams;
import com.openai.models.videos.VideoSeconds;
import com.openai.models.videos.VideoSize;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.engine.VideoFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The official OpenAI Java SDK against a real server. */
class OpenAiSdkTest {
    @TempDir
    Path dir;
    OpenAiTestServer t;
    OpenAIClient a;

    @BeforeEach
    void start() throws Exception {
        t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5L * 1024 * 1024);
        a = t.client(t.keyA);
    }

    @AfterEach
    void stop() {
        t.close();
    }

    static VideoCreateParams.Builder local() {
        return VideoCreateParams.builder().model("framegate-local").prompt("a ball rolls").size(VideoSize.of("160x96"))
                .seconds(VideoSeconds.of("1"));
    }

    static byte[] png() {
        return TestImages.png(160, 96, Color.ORANGE);
    }

    private byte[] download(String id, VideoDownloadContentParams.Variant variant) throws Exception {
        try (HttpResponse r = a.videos().downloadContent(id, VideoDownloadContentParams.builder().variant(variant).build());
             InputStream in = r.body()) {
            return in.readAllBytes();
        }
    }

    @Test
    void createWithReferenceImagePollDownloadListRemixDelete() throws Exception {
        Video created = a.videos().create(local().inputReference(png()).build());
        assertThat(created.id()).startsWith("video_");
        assertThat(created.status().asString()).isEqualTo("queued");
        assertThat(created.model()).hasToString("framegate-local");
        assertThat(created.size()).hasToString("160x96");
        assertThat(created.seconds()).hasToString("1");
        assertThat(created.prompt()).contains("a ball rolls");
        JsonValue fg = created._additionalProperties().get("framegate");
        assertThat(fg.toString()).contains("local_render=true").contains("backend=local");

        Video done = OpenAiTestServer.awaitFinal(a, created.id());
        assertThat(done.status().asString()).isEqualTo("completed");
        assertThat(done.progress()).isEqualTo(100);
        assertThat(done.completedAt()).isPresent();
        assertThat(done.error()).isEmpty();

        byte[] mp4 = download(done.id(), VideoDownloadContentParams.Variant.VIDEO);
        assertThat(new String(Arrays.copyOfRange(mp4, 4, 8))).isEqualTo("ftyp");
        Path file = dir.resolve("dl.mp4");
        Files.write(file, mp4);
        VideoFiles.Info info = VideoFiles.probe(file);
        assertThat(info.width()).isEqualTo(160);
        assertThat(info.height()).isEqualTo(96);
        assertThat(info.frames()).isEqualTo(24);
        byte[] thumb = download(done.id(), VideoDownloadContentParams.Variant.THUMBNAIL);
        assertThat(new String(Arrays.copyOfRange(thumb, 8, 12))).isEqualTo("WEBP");
        byte[] sprite = download(done.id(), VideoDownloadContentParams.Variant.SPRITESHEET);
        assertThat(sprite[0] & 0xff).isEqualTo(0xFF);
        assertThat(sprite[1] & 0xff).isEqualTo(0xD8);

        Video remix = a.videos().remix(done.id(), VideoRemixParams.builder().prompt("the ball bounces").build());
        assertThat(remix.remixedFromVideoId()).contains(done.id());
        assertThat(remix.prompt()).contains("the ball bounces");
        Video remixed = OpenAiTestServer.awaitFinal(a, remix.id());
        assertThat(remixed.status().asString()).isEqualTo("completed");
        assertThat(remixed.size()).hasToString("160x96");

        List<String> ids = new ArrayList<>();
        VideoListPage page = a.videos().list(VideoListParams.builder().limit(1).order(VideoListParams.Order.ASC).build());
        page.autoPager().forEach(v -> ids.add(v.id()));
        assertThat(ids).containsExactly(done.id(), remix.id());

        VideoDeleteResponse deleted = a.videos().delete(done.id());
        assertThat(deleted.deleted()).isTrue();
        assertThat(deleted.id()).isEqualTo(done.id());
        assertThatThrownBy(() -> a.videos().retrieve(done.id())).isInstanceOf(NotFoundException.class);
        assertThat(a.videos().retrieve(remix.id()).status().asString()).isEqualTo("completed");
    }

    private void assertBadParam(Consumer<VideoCreateParams.Builder> edit, String param, String messagePart) {
        VideoCreateParams.Builder b = local().inputReference(png());
        edit.accept(b);
        assertThatThrownBy(() -> a.videos().create(b.build()))
                .isInstanceOf(BadRequestException.class)
                .satisfies(e -> {
                    BadRequestException bad = (BadRequestException) e;
                    assertThat(bad.statusCode()).isEqualTo(400);
                    assertThat(bad.param()).contains(param);
                    assertThat(bad.type()).contains("invalid_request_error");
                    assertThat(bad.getMessage()).contains(messagePart);
                });
    }

    @Test
    void everyValidationErrorNamesItsParameter() {
        assertBadParam(b -> b.model("sora-2").size(VideoSize._720X1280).seconds(VideoSeconds.of("6")), "seconds",
                "seconds=6 is not allowed for sora-2; allowed: 4, 8, 12");
        assertBadParam(b -> b.model("sora-2").size(VideoSize.of("999x999")).seconds(VideoSeconds._4), "size",
                "size=999x999 is not allowed for sora-2");
        assertBadParam(b -> b.size(VideoSize.of("huge")), "size", "is not a size");
        assertBadParam(b -> b.model("no-such-model"), "model", "not a known model");
        assertBadParam(b -> b.seconds(VideoSeconds.of("four")), "seconds", "whole number");
        assertBadParam(b -> b.putAdditionalBodyProperty("quality", JsonValue.from("standard")), "quality",
                "Unknown parameter: 'quality'");
        assertBadParam(b -> b.model("sora-2").size(VideoSize._720X1280).seconds(VideoSeconds._4).prompt(""), "prompt",
                "prompt is required");
        assertBadParam(b -> b.inputReference(VideoCreateParams.InputReference.ofImageInputReferenceParam(
                com.openai.models.videos.ImageInputReferenceParam.builder().fileId("file-123").build())),
                "input_reference.file_id", "Files API");
        // framegate-local needs an image
        VideoCreateParams noImage = local().build();
        assertThatThrownBy(() -> a.videos().create(noImage)).isInstanceOf(BadRequestException.class)
                .satisfies(e -> assertThat(((BadRequestException) e).param()).contains("input_reference"));
    }

    @Test
    void anotherKeyGets404AndNoOrWrongKeyGets401() throws Exception {
        Video created = a.videos().create(local().inputReference(png()).build());
        OpenAIClient b = t.client(t.keyB);
        assertThatThrownBy(() -> b.videos().retrieve(created.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.videos().delete(created.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.videos().remix(created.id(), VideoRemixParams.builder().prompt("x").build()))
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> b.videos().downloadContent(created.id())).isInstanceOf(NotFoundException.class);
        assertThat(b.videos().list().data()).isEmpty();

        OpenAIClient wrong = t.client("fg-not-a-key");
        assertThatThrownBy(() -> wrong.videos().list()).isInstanceOf(UnauthorizedException.class)
                .satisfies(e -> assertThat(((UnauthorizedException) e).code()).contains("invalid_api_key"));
        var noKey = t.send(t.request("/v1/videos", null).GET());
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(new String(noKey.body())).contains("\"type\":\"invalid_request_error\"").contains("Bearer");
        assertThat(a.videos().retrieve(created.id()).id()).isEqualTo(created.id());
    }

    @Test
    void idempotencyKeyReturnsTheSameVideo() {
        // fresh params per call: the SDK reads an upload's bytes once
        Video first = a.videos().create(local().inputReference(png()).putAdditionalHeader("Idempotency-Key", "k-1").build());
        Video second = a.videos().create(local().inputReference(png()).putAdditionalHeader("Idempotency-Key", "k-1").build());
        assertThat(second.id()).isEqualTo(first.id());
        Video other = a.videos().create(local().inputReference(png()).putAdditionalHeader("Idempotency-Key", "k-2").build());
        assertThat(other.id()).isNotEqualTo(first.id());
    }

    @Test
    void extensionContinuesAFinishedVideoAndStitches() throws Exception {
        Video src = OpenAiTestServer.awaitFinal(a, a.videos().create(local().inputReference(png()).build()).id());
        Video ext = a.videos().extend(VideoExtendParams.builder()
                .video(VideoExtendParams.Video.VideoReferenceInputParam.builder().id(src.id()).build())
                .prompt("keeps rolling").seconds(VideoSeconds.of("1")).build());
        assertThat(ext.seconds()).hasToString("2");
        Video done = OpenAiTestServer.awaitFinal(a, ext.id());
        assertThat(done.status().asString()).isEqualTo("completed");
        assertThat(done._additionalProperties().get("framegate").toString()).contains("extended_from_video_id=" + src.id());
        Path file = dir.resolve("ext.mp4");
        Files.write(file, download(done.id(), VideoDownloadContentParams.Variant.VIDEO));
        // 24 frames of the source, then the new second without its first frame (the source's last frame again)
        assertThat(VideoFiles.probe(file).frames()).isEqualTo(24 + 23);
    }
}
