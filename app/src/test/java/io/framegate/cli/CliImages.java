package io.framegate.cli;

import io.framegate.domain.GenerationException;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.engine.ImageDecoder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Images for the CLI's tests, and what the engine says of them. */
final class CliImages {
    private CliImages() {
    }

    /** The engine's refusal of the file (its check, then its decoder), named by its path as the CLI names it. */
    static String refusal(Path file) throws IOException {
        try {
            ImageDecoder.decode(new InputImage(ImageRole.FIRST_FRAME, Files.readAllBytes(file), null, file.toString()))
                    .release();
        } catch (GenerationException e) {
            return e.getMessage();
        }
        throw new AssertionError(file + " decodes");
    }
}
