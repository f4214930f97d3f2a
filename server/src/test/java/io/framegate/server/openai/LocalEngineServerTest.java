package io.framegate.server.openai;

import com.openai.client.OpenAIClient;
import com.openai.models.videos.Video;
import com.openai.models.videos.VideoCreateParams;
import com.openai.models.videos.VideoDownloadContentParams;
import com.openai.models.videos.VideoSeconds;
import com.openai.models.videos.VideoSize;
import io.framegate.engine.LocalEngine;
import io.framegate.server.TestImages;
import io.framegate.engine.VideoFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The server with the real offline engine behind it, driven by the OpenAI SDK. */
class LocalEngineServerTest {
    @TempDir
    Path dir;

    private static byte[] download(OpenAIClient c, String id, VideoDownloadContentParams.Variant v) throws Exception {
        try (var r = c.videos().downloadContent(id, VideoDownloadContentParams.builder().variant(v).build());
             InputStream in = r.body()) {
            return in.readAllBytes();
        }
    }

    @Test
    void sora2RequestIsRenderedOfflineWithAllVariants() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new LocalEngine(), 5_000_000)) {
            OpenAIClient a = t.client(t.keyA);
            Video created = a.videos().create(VideoCreateParams.builder().model("sora-2").prompt("slow zoom in on the lake")
                    .size(VideoSize._1280X720).seconds(VideoSeconds._4)
                    .inputReference(TestImages.png(1280, 720, Color.BLUE)).build());
            Video done = OpenAiTestServer.awaitFinal(a, created.id());
            assertThat(done.status().asString()).as(String.valueOf(done.error())).isEqualTo("completed");
            String fg = done._additionalProperties().get("framegate").toString();
            assertThat(fg).contains("backend=local").contains("local_render=true").contains("engine_mode=reference");
            Path mp4 = dir.resolve("sora.mp4");
            Files.write(mp4, download(a, done.id(), VideoDownloadContentParams.Variant.VIDEO));
            VideoFiles.Info info = VideoFiles.probe(mp4);
            assertThat(info.width()).isEqualTo(1280);
            assertThat(info.height()).isEqualTo(720);
            assertThat(info.frames()).isEqualTo(96);
            byte[] thumb = download(a, done.id(), VideoDownloadContentParams.Variant.THUMBNAIL);
            assertThat(new String(Arrays.copyOfRange(thumb, 8, 12))).isEqualTo("WEBP");
            byte[] sprite = download(a, done.id(), VideoDownloadContentParams.Variant.SPRITESHEET);
            assertThat(sprite[0] & 0xff).isEqualTo(0xFF);
        }
    }
}
