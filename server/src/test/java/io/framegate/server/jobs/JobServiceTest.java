package io.framegate.server.jobs;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.JobStatus;
import io.framegate.domain.ValidationException;
import io.framegate.server.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobServiceTest {
    @TempDir
    Path dir;
    Core core;

    @BeforeEach
    void open() {
        core = new Core(dir);
    }

    @AfterEach
    void close() {
        core.close();
    }

    static GenerationRequest localRequest(String prompt) {
        return GenerationRequest.builder().model("framegate-local").prompt(prompt).size("64x48").numFrames(6).fps(12)
                .image(ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.RED), "image/png", "first.png").build();
    }

    @Test
    void submitStoresRowAndImagesBeforeReturning() throws Exception {
        GenerationRequest req = localRequest("a red ball");
        Job job = core.jobs.submit("key_a", "openai", req, null);
        assertThat(job.id()).matches("video_[0-9a-f]{32}");
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.size()).isEqualTo("64x48");
        assertThat(job.seconds()).isEqualTo(1);
        assertThat(core.store.find(job.id())).isPresent();
        assertThat(core.results.open(job.id(), "input-0").orElseThrow().readAllBytes()).isEqualTo(req.images().get(0).bytes());
        GenerationRequest back = core.jobs.request("key_a", job.id()).orElseThrow();
        assertThat(back.images()).hasSize(1);
        assertThat(back.images().get(0).role()).isEqualTo(ImageRole.FIRST_FRAME);
        assertThat(back.images().get(0).bytes()).isEqualTo(req.images().get(0).bytes());
        assertThat(back.prompt()).isEqualTo("a red ball");
        assertThat(back.numFrames()).isEqualTo(6);
    }

    /** The check an image carries from intake is stored with it; one without it (or stored before it) has none. */
    @Test
    void theCheckAnImageCarriesIsStoredWithIt() throws Exception {
        byte[] png = TestImages.png(64, 48, Color.RED);
        GenerationRequest req = GenerationRequest.builder().model("framegate-local").prompt("x").size("64x48")
                .numFrames(6).fps(12).image(new InputImage(ImageRole.FIRST_FRAME, png, "image/png", "first", true))
                .image(new InputImage(ImageRole.LAST_FRAME, png, "image/png", "last")).build();
        Job job = core.jobs.submit("key_a", "openai", req, null);
        GenerationRequest back = core.jobs.request("key_a", job.id()).orElseThrow();
        assertThat(back.images()).extracting(InputImage::checked).containsExactly(true, false);
        // a row written before images carried the check: read unchecked, so the worker walks it
        var json = io.framegate.server.FramegateServer.newJsonMapper();
        var row = json.valueToTree(StoredRequest.of(req));
        ((com.fasterxml.jackson.databind.node.ObjectNode) row.path("images").get(0)).remove("checked");
        assertThat(json.treeToValue(row, StoredRequest.class).toRequest(f -> png).images().getFirst().checked()).isFalse();
    }

    @Test
    void invalidRequestIsRejectedAndNothingIsStored() throws Exception {
        GenerationRequest bad = GenerationRequest.builder().model("sora-2").prompt("x").seconds(6).build();
        assertThatThrownBy(() -> core.jobs.submit("key_a", "openai", bad, null))
                .isInstanceOf(ValidationException.class)
                .satisfies(e -> assertThat(((ValidationException) e).first().param()).isEqualTo("seconds"));
        assertThat(core.jobs.list("key_a", null, 10, ListOrder.DESC).data()).isEmpty();
        try (var files = Files.list(core.results.root())) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void sameIdempotencyKeyReturnsSameJobAndDifferentRequestIsRejected() {
        Job first = core.jobs.submit("key_a", "openai", localRequest("p"), "idem-1");
        Job again = core.jobs.submit("key_a", "openai", localRequest("p"), "idem-1");
        assertThat(again.id()).isEqualTo(first.id());
        assertThatThrownBy(() -> core.jobs.submit("key_a", "openai", localRequest("other"), "idem-1"))
                .isInstanceOf(IdempotencyMismatchException.class).hasMessageContaining(first.id());
        Job otherOwner = core.jobs.submit("key_b", "openai", localRequest("p"), "idem-1");
        assertThat(otherOwner.id()).isNotEqualTo(first.id());
        assertThat(core.jobs.list("key_a", null, 10, ListOrder.DESC).data()).hasSize(1);
    }

    /**
     * docs/openai-extension.md, Idempotency-Key: a create retried across the upgrade that made {@code fit} a typed field
     * replays only if it named no {@code fit}; one that named it is a 409, never a second job. The request hashes are
     * the ones the server stored before that upgrade (commit 65d3d52^, {@code fit} among the options), computed by that
     * version's {@code JobService.hash} for these two requests of surface {@code openai}.
     */
    @Test
    void anIdempotencyKeyStoredBeforeFitWasTypedReplaysWithoutFitAndIsA409WithIt() {
        GenerationRequest.Builder sora = GenerationRequest.builder().model("sora-2").prompt("a pier at dawn").seconds(4).size("1280x720");
        Job withoutFit = core.jobs.submit("key_a", "openai", sora.build(), "before-fit");
        storedHash(withoutFit.id(), "94bff2f3a02c24bcdf3f3c39c557245abb42a64c75f667a0596001b6084b0478");
        assertThat(core.jobs.submit("key_a", "openai", sora.build(), "before-fit").id()).as("replayed").isEqualTo(withoutFit.id());

        GenerationRequest crop = sora.build().toBuilder().fit(io.framegate.domain.FitMode.CROP).build();
        Job withFit = core.jobs.submit("key_a", "openai", crop, "named-fit");
        storedHash(withFit.id(), "b8f44a4a7a8058bd8651b6ca694715f47907d1f12d7b2d5412fe3091365d418d"); // options {fit: crop}
        assertThatThrownBy(() -> core.jobs.submit("key_a", "openai", crop, "named-fit"))
                .isInstanceOf(IdempotencyMismatchException.class).hasMessageContaining(withFit.id());
        assertThat(core.jobs.list("key_a", null, 10, ListOrder.DESC).data()).as("no second job").hasSize(2);
    }

    private void storedHash(String jobId, String hash) {
        int rows = core.db.jdbi().withHandle(h -> h.createUpdate("UPDATE jobs SET request_hash = :h WHERE id = :id")
                .bind("h", hash).bind("id", jobId).execute());
        assertThat(rows).isEqualTo(1);
    }

    @Test
    void anotherKeySeesNothing() {
        Job job = core.jobs.submit("key_a", "openai", localRequest("p"), null);
        assertThat(core.jobs.get("key_b", job.id())).isEmpty();
        assertThat(core.jobs.delete("key_b", job.id())).isFalse();
        assertThat(core.jobs.cancel("key_b", job.id())).isEmpty();
        assertThat(core.jobs.list("key_b", null, 10, ListOrder.DESC).data()).isEmpty();
        assertThat(core.jobs.get("key_a", job.id())).isPresent();
    }

    @Test
    void listPagesWithCursorInBothOrders() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) ids.add(core.jobs.submit("key_a", "openai", localRequest("p" + i), null).id());
        core.jobs.submit("key_b", "openai", localRequest("not mine"), null);

        JobPage p1 = core.jobs.list("key_a", null, 2, ListOrder.ASC);
        JobPage p2 = core.jobs.list("key_a", p1.data().get(1).id(), 2, ListOrder.ASC);
        JobPage p3 = core.jobs.list("key_a", p2.data().get(1).id(), 2, ListOrder.ASC);
        List<String> asc = new ArrayList<>();
        for (JobPage p : List.of(p1, p2, p3)) p.data().forEach(j -> asc.add(j.id()));
        assertThat(p1.hasMore()).isTrue();
        assertThat(p2.hasMore()).isTrue();
        assertThat(p3.hasMore()).isFalse();
        assertThat(asc).containsExactlyElementsOf(ids);

        JobPage d1 = core.jobs.list("key_a", null, 3, ListOrder.DESC);
        assertThat(d1.data()).extracting(Job::id).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        JobPage d2 = core.jobs.list("key_a", ids.get(2), 3, ListOrder.DESC);
        assertThat(d2.data()).extracting(Job::id).containsExactly(ids.get(1), ids.get(0));
        assertThat(d2.hasMore()).isFalse();

        assertThatThrownBy(() -> core.jobs.list("key_b", ids.get(0), 3, ListOrder.DESC))
                .isInstanceOf(ValidationException.class).hasMessageContaining("after=");
        assertThatThrownBy(() -> core.jobs.list("key_a", null, 101, ListOrder.DESC))
                .isInstanceOf(ValidationException.class).hasMessageContaining("limit=101");
    }

    @Test
    void deleteRemovesRowAndFiles() {
        Job job = core.jobs.submit("key_a", "openai", localRequest("p"), null);
        assertThat(core.jobs.delete("key_a", job.id())).isTrue();
        assertThat(core.jobs.get("key_a", job.id())).isEmpty();
        assertThat(core.results.root().resolve(job.id())).doesNotExist();
        assertThat(core.jobs.delete("key_a", job.id())).isFalse();
    }

    @Test
    void cancellingAQueuedJobIsImmediate() {
        Job job = core.jobs.submit("key_a", "openai", localRequest("p"), null);
        Job cancelled = core.jobs.cancel("key_a", job.id()).orElseThrow();
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.completedAt()).isNotNull();
        assertThat(core.store.leases().findClaimable(System.currentTimeMillis(), 10)).isEmpty();
    }

    @Test
    void contentOfAnUnfinishedJobIsAStateError() {
        Job job = core.jobs.submit("key_a", "openai", localRequest("p"), null);
        assertThatThrownBy(() -> core.jobs.openContent("key_a", job.id(), ContentVariant.VIDEO, 0))
                .isInstanceOf(JobStateException.class).hasMessageContaining("queued");
        assertThat(core.jobs.openContent("key_b", job.id(), ContentVariant.VIDEO, 0)).isEmpty();
    }
}
