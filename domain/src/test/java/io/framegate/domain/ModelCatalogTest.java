package io.framegate.domain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelCatalogTest {
    private final ModelCatalog catalog = ModelCatalog.builtIn();

    @Test
    void seedsTheModelsOfTheReferenceAndTheLocalEngine() {
        assertThat(catalog.models()).extracting(ModelSpec::id).contains(
                "framegate-local", "framegate-local-fast", "sora-2", "sora-2-pro", "veo-3.1-generate-001",
                "veo-3.1-generate-preview", "veo-3.1-fast-generate-001", "veo-3.0-generate-001");
    }

    @Test
    void soraFactsComeFromTheDataFile() {
        ModelSpec sora = catalog.require("sora-2");
        assertThat(sora.provider()).isEqualTo("openai");
        assertThat(sora.seconds()).containsExactly(4, 8, 12);
        assertThat(sora.sizes()).containsExactly("720x1280", "1280x720");
        assertThat(sora.roles()).containsOnlyKeys(ImageRole.REFERENCE);
        assertThat(sora.maxImages(ImageRole.REFERENCE)).isEqualTo(1);
        assertThat(sora.pricePerSecondAt("720p")).contains(0.10);
        assertThat(sora.lifecycle().isRetired()).isTrue();
        assertThat(sora.lifecycle().shutdown()).isEqualTo(LocalDate.of(2026, 9, 24));
    }

    @Test
    void extendsInheritsRulesAndOverridesFields() {
        ModelSpec pro = catalog.require("sora-2-pro");
        assertThat(pro.seconds()).containsExactly(4, 8, 12);
        assertThat(pro.sizes()).contains("1792x1024", "1920x1080");
        assertThat(pro.pricePerSecondAt("1080p")).contains(0.70);
        assertThat(pro.aliases()).containsExactly("sora-2-pro-2025-10-06");

        ModelSpec preview = catalog.require("veo-3.1-generate-preview");
        assertThat(preview.rules()).hasSize(catalog.require("veo-3.1-generate-001").rules().size());
        assertThat(preview.lifecycle().replacement()).isEqualTo("veo-3.1-generate-001");
        assertThat(preview.aliases()).isEmpty();
    }

    @Test
    void fastModelTakesNoReferenceImages() {
        assertThat(catalog.require("veo-3.1-fast").maxImages(ImageRole.ASSET)).isZero();
        assertThat(catalog.require("veo-3.1").maxImages(ImageRole.ASSET)).isEqualTo(3);
    }

    @Test
    void aliasesAndCaseResolve() {
        assertThat(catalog.require("SORA-2-2025-10-06").id()).isEqualTo("sora-2");
        assertThat(catalog.require("local").id()).isEqualTo("framegate-local");
        assertThat(catalog.find("nope")).isEmpty();
    }

    @Test
    void unknownModelIsAViolationListingTheKnownOnes() {
        assertThatThrownBy(() -> catalog.require("sora-3"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining("model=sora-3 is not a known model")
                .hasMessageContaining("sora-2-pro");
    }

    @Test
    void loadsAFileAndRejectsBadEntries(@TempDir Path dir) throws IOException {
        Path ok = dir.resolve("ok.json");
        Files.writeString(ok, """
                {"models":[{"id":"a","provider":"local","kind":"hybrid","roles":{"first_frame":1},
                  "seconds":[2],"defaultSeconds":2,"sizes":["64x64"],"defaultSize":"64x64","fps":[8],"defaultFps":8},
                  {"id":"b","extends":"a","seconds":[3],"defaultSeconds":3}]}
                """);
        ModelCatalog c = ModelCatalog.load(ok);
        assertThat(c.require("b").seconds()).containsExactly(3);
        assertThat(c.require("b").sizes()).containsExactly("64x64");

        Path cycle = dir.resolve("cycle.json");
        Files.writeString(cycle, """
                {"models":[{"id":"a","extends":"b"},{"id":"b","extends":"a"}]}
                """);
        assertThatThrownBy(() -> ModelCatalog.load(cycle)).hasStackTraceContaining("cycle");

        Path typo = dir.resolve("typo.json");
        Files.writeString(typo, """
                {"models":[{"id":"a","provider":"local","secnods":[4]}]}
                """);
        assertThatThrownBy(() -> ModelCatalog.load(typo)).hasStackTraceContaining("secnods");
    }

    @Test
    void anIdNamedTwiceIsRefusedNotSilentlyDropped(@TempDir Path dir) throws IOException {
        Path twice = dir.resolve("twice.json");
        Files.writeString(twice, """
                {"models":[{"id":"google/veo-3.1","provider":"replicate"},{"id":"google/veo-3.1","provider":"openrouter"}]}
                """);
        assertThatThrownBy(() -> ModelCatalog.load(twice)).hasStackTraceContaining("duplicate model id in catalog: google/veo-3.1");
    }

    @Test
    void providerHostedBlocksKeepEveryProvidersModels() {
        assertThat(catalog.require("google/veo-3.1").provider()).isEqualTo("replicate");
        assertThat(catalog.require("openrouter/google/veo-3.1").provider()).isEqualTo("openrouter");
        assertThat(catalog.require("hailuo-02").pricePerVideo()).containsEntry("768p", 0.52);
        assertThat(catalog.require("seedance-2.0").maxImages(ImageRole.REFERENCE)).isEqualTo(9);
        assertThat(catalog.require("wanx2.1-kf2v-plus").id()).isEqualTo("wan2.1-kf2v-plus");
    }
}
