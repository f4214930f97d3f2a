package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * What a {@link ProviderFactory} reads one channel from: the channel's own keys over its provider's, credentials from
 * the environment or files, and a problem list whose entries name their field ({@code channels.eu.base_url: ...}),
 * as {@link ConfigSection} does for the rest of the file. Made by the loader, one per channel.
 */
public final class ProviderSection {
    private final String channel;
    private final String providerName;
    private final JsonNode provider;
    private final JsonNode own;
    private final String field;
    private final JsonNode cred;
    private final String credField;
    private final Path baseDir;
    private final Function<String, String> env;
    private final List<String> problems;

    ProviderSection(String channel, String providerName, JsonNode provider, JsonNode own, String field,
                    Set<String> credentialKeys, Path baseDir, Function<String, String> env, List<String> problems) {
        this.channel = channel;
        this.providerName = providerName;
        this.provider = provider;
        this.own = own;
        this.field = field;
        boolean ownCredential = credentialKeys.stream().anyMatch(own::has);
        this.cred = ownCredential ? own : provider;
        this.credField = ownCredential ? field : "providers." + providerName;
        this.baseDir = baseDir;
        this.env = env;
        this.problems = problems;
    }

    /** The channel's name. */
    public String channel() {
        return channel;
    }

    /** The value of {@code key} (the channel's own, else its provider's), or null. */
    public String text(String key) {
        String v = text(own, key);
        return v != null ? v : text(provider, key);
    }

    /** Like {@link #text} but missing is a problem: {@code <field>.<key>: missing; <hint>}. */
    public String require(String key, String hint) {
        String v = text(key);
        if (v == null) problem(key, "missing; " + hint);
        return v;
    }

    /** An http(s) URL at {@code key}, or null (absent, or not a URL: then a problem). */
    public String url(String key) {
        String v = text(key);
        if (v != null && !v.matches("https?://.+")) {
            problem(key, v + " is not an http(s) URL");
            return null;
        }
        return v;
    }

    /** Records a problem with {@code key}, named where the key is written (the channel's entry or its provider's). */
    public void problem(String key, String message) {
        String where = own.has(key) || !provider.has(key) ? field : "providers." + providerName;
        problems.add(where + "." + key + ": " + message);
    }

    /** Records a problem with the credential as a whole ({@code channels.x: a fal channel needs ...}). */
    public void credentialProblem(String message) {
        problems.add(credField + ": " + message);
    }

    /** The usual API key: {@code api_key_env} or {@code api_key_file}, required. */
    public Secret apiKey(String type) {
        Secret key = secret("api_key_env", "api_key_file");
        if (key == null && !cred.has("api_key_env") && !cred.has("api_key_file")) {
            credentialProblem("a " + type + " channel needs api_key_env or api_key_file");
        }
        return key;
    }

    /**
     * A credential from the environment variable named at {@code envKey} or the file named at {@code fileKey}
     * (relative to the config file's folder); null when neither is given or it cannot be read (then a problem). Its
     * value is registered with {@link SafeText#secret}: it is sent upstream, and an upstream echoing it back in text
     * that reaches a note, a client or the log has it redacted, whatever its shape.
     */
    public Secret secret(String envKey, String fileKey) {
        Secret s = ConfigSection.readSecret(cred, credField, envKey, fileKey, baseDir, env, problems);
        if (s != null) SafeText.secret(s.reveal());
        return s;
    }

    /** A credential file's path at {@code key} (checked readable), or null when not given. */
    public Path credentialFile(String key) {
        String file = text(cred, key);
        if (file == null) return null;
        Path p = resolve(file);
        if (!Files.isReadable(p)) problems.add(credField + "." + key + ": " + p + " is not a readable file");
        return p;
    }

    private Path resolve(String file) {
        return baseDir != null ? baseDir.resolve(file) : Path.of(file);
    }

    private static String text(JsonNode node, String key) {
        return ConfigSection.text(node, key);
    }
}
