package io.framegate.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class OpenCvLogTest {
    @TempDir
    Path dir;

    /**
     * OpenCV's own log is off once the engine has loaded OpenCV (the CLI and the server alike), shown with OpenCV's
     * decoder given an animated WebP directly (the engine's check would refuse it first): it logs its refusal on
     * stderr when its log is put back to errors, and nothing as the engine left it.
     */
    @Test
    void openCvsOwnLogIsSilentOnceTheEngineLoadedIt() throws Exception {
        Path anim = Files.write(dir.resolve("anim.webp"), BadImages.animatedWebp(64, 48));
        assertThat(probe("plain", anim)).as("OpenCV logs without it").contains("[ERROR").contains("animated webp");
        assertThat(probe("loaded", anim)).isEmpty();
        assertThat(Files.readString(dir.resolve("loaded.stdout"))).contains("level after loading=" + OpenCvLog.SILENT);
    }

    private String probe(String mode, Path file) throws Exception {
        Path err = dir.resolve(mode + ".stderr");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", cp, OpenCvLogProbe.class.getName(), mode, file.toString())
                .redirectOutput(dir.resolve(mode + ".stdout").toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve(mode + ".stdout"))).isZero();
        return Files.readString(err);
    }
}
