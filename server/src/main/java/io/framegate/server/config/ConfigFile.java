package io.framegate.server.config;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigException;
import io.framegate.provider.ConfigLoader;
import io.framegate.provider.FramegateConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Finds and reads {@code framegate.yaml} for the server and the key tool: one file, one loader (the providers'
 * {@link ConfigLoader}), which checks every section at once - providers, channels, routes, aliases, default_route,
 * timing, workers and database (format: docs/config.md).
 */
public final class ConfigFile {
    public static final String DEFAULT_NAME = "framegate.yaml";

    private ConfigFile() {
    }

    /**
     * @param dataDir  the data directory; {@code <dataDir>/framegate.yaml} is read when it exists
     * @param explicit a file given on the command line ({@code --config}), which must exist; null for the default
     * @param env      environment lookup for {@code *_env} credentials ({@code System::getenv} in production)
     * @return the config, or {@link FramegateConfig#defaults()} when there is no file
     * @throws ConfigException the file is missing (when explicit), unreadable or wrong; every problem names its field
     */
    public static FramegateConfig read(Path dataDir, Path explicit, ModelCatalog catalog, Function<String, String> env) {
        ConfigLoader loader = new ConfigLoader(catalog, env);
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new ConfigException(explicit.toString(), List.of("--config: no such file"));
            }
            return loader.load(explicit);
        }
        Path file = dataDir.resolve(DEFAULT_NAME);
        return Files.exists(file) ? loader.load(file) : FramegateConfig.defaults();
    }
}
