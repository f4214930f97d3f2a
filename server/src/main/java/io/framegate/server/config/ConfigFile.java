package io.framegate.server.config;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigException;
import io.framegate.provider.ConfigLoader;
import io.framegate.provider.ConfigTree;
import io.framegate.provider.FramegateConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Finds and reads {@code framegate.yaml} for the server and the CLI: the file is parsed once; the providers module
 * reads its sections (providers, channels, routes, aliases, default_route, timing; {@link ConfigLoader}), the server
 * its own (workers, database, limits, retention, storage, webhooks; {@link ServerSections}); then every problem of the file is
 * reported at once (format: docs/config.md).
 */
public final class ConfigFile {
    public static final String DEFAULT_NAME = "framegate.yaml";

    private ConfigFile() {
    }

    /**
     * @param dataDir  the data directory; {@code <dataDir>/framegate.yaml} is read when it exists
     * @param explicit a file given on the command line ({@code --config}), which must exist; null for the default
     * @param env      environment lookup for {@code *_env} credentials ({@code System::getenv} in production)
     * @return the config, or {@link ServerConfig#defaults()} when there is no file
     * @throws ConfigException the file is missing (when explicit), unreadable or wrong; every problem names its field
     */
    public static ServerConfig read(Path dataDir, Path explicit, ModelCatalog catalog, Function<String, String> env) {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) {
                throw new ConfigException(explicit.toString(), List.of("--config: no such file"));
            }
            return load(explicit, catalog, env);
        }
        Path file = dataDir.resolve(DEFAULT_NAME);
        return Files.exists(file) ? load(file, catalog, env) : ServerConfig.defaults();
    }

    /** Reads {@code file}, which must exist. @throws ConfigException it is unreadable or wrong */
    public static ServerConfig load(Path file, ModelCatalog catalog, Function<String, String> env) {
        return read(ConfigTree.load(file, env), catalog, env);
    }

    /** Reads YAML text. @param baseDir where relative {@code *_file} paths start */
    public static ServerConfig parse(String yaml, String source, Path baseDir, ModelCatalog catalog,
                                     Function<String, String> env) {
        return read(ConfigTree.parse(yaml, source, baseDir, env), catalog, env);
    }

    private static ServerConfig read(ConfigTree tree, ModelCatalog catalog, Function<String, String> env) {
        FramegateConfig providers = new ConfigLoader(catalog, env).read(tree);
        ServerConfig config = ServerConfig.read(tree, providers);
        tree.finish();
        return config;
    }
}
