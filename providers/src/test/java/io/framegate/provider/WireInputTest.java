package io.framegate.provider;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.provider.fal.FalUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A hosted model's field map decides what is sent, and what it cannot carry is refused before any call. */
class WireInputTest {
    @TempDir
    Path tmp;

    RequestValidator validator(String wire) throws Exception {
        Path f = tmp.resolve("models.json");
        Files.writeString(f, """
                {"models": [{"id": "acme/url-only", "provider": "fal", "kind": "keyframes",
                  "roles": {"first_frame": 1, "last_frame": 1}, "seconds": [5], "defaultSeconds": 5,
                  "sizes": ["1280x720"], "defaultSize": "1280x720", "fps": [24], "defaultFps": 24,
                  "seed": true, "audio": "never", "wire": %s}]}
                """.formatted(wire));
        return new RequestValidator(ModelCatalog.load(f));
    }

    static UpstreamJob job(RequestValidator v, Long seed) {
        byte[] png = TestMedia.png(1280, 720, 640, 360);
        RenderPlan plan = v.validate(GenerationRequest.builder().model("acme/url-only").prompt("p").seed(seed)
                .image(ImageRole.FIRST_FRAME, png, "image/png", "a.png").image(ImageRole.LAST_FRAME, png, "image/png", "b.png").build());
        return new UpstreamJob(plan, List.of(new FittedImage(ImageRole.FIRST_FRAME, png, "image/png", 1280, 720),
                new FittedImage(ImageRole.LAST_FRAME, png, "image/png", 1280, 720)));
    }

    @Test
    void aModelThatTakesOnlyUrlsIsRefusedNamingWhyWhenNoUrlCanBeServed() throws Exception {
        RequestValidator v = validator("""
                {"fields": {"prompt": "prompt", "seed": "seed", "first_frame": "start_url", "last_frame": "end_url"},
                 "images": ["url"]}""");
        FalUpstream fal = new FalUpstream("http://127.0.0.1:1", new Secret("k", "test"), Duration.ofSeconds(1));
        assertThat(fal.refuse(job(v, null))).contains("acme/url-only").contains("takes images only as URLs")
                .contains("public base URL");
        assertThat(WireInput.refuse(job(v, null), true)).isNull();
    }

    @Test
    void aRoleOrParameterWithoutAFieldIsRefusedAndTheRestIsWrittenAsTheMapSays() throws Exception {
        RequestValidator noSeed = validator("""
                {"fields": {"prompt": "prompt", "first_frame": "start_url"}}""");
        assertThat(WireInput.refuse(job(noSeed, 9L), false)).contains("no input field for last_frame, seed");

        RequestValidator full = validator("""
                {"fields": {"prompt": "text", "seed": "noise_seed", "seconds": "len", "first_frame": "a", "last_frame": "frames"},
                 "formats": {"seconds": "{} sec", "last_frame": "list"}, "constants": {"mode": "pro", "steps": 30}}""");
        UpstreamJob j = job(full, 9L);
        assertThat(WireInput.refuse(j, false)).isNull();
        var in = WireInput.build(j, img -> img.role().wireName());
        assertThat(in.toString()).isEqualTo(
                "{\"text\":\"p\",\"noise_seed\":9,\"len\":\"5 sec\",\"a\":\"first_frame\",\"frames\":[\"last_frame\"],"
                        + "\"mode\":\"pro\",\"steps\":30}");
    }
}
