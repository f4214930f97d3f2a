package io.framegate.provider;

import io.framegate.domain.OutputFiles;

import java.time.Duration;
import java.util.Set;

/**
 * A provider type that exists only on the test class path (registered in the tests' own
 * {@code META-INF/services}): proves the loader and the router find providers without knowing their names.
 */
public final class EchoProvider implements ProviderFactory {
    @Override
    public String type() {
        return "test-echo";
    }

    @Override
    public Set<String> keys() {
        return Set.of("api_key_env", "api_key_file", "flavour");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("google");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        Secret key = s.apiKey(type());
        String flavour = s.require("flavour", "plain or fancy");
        if (flavour != null && !Set.of("plain", "fancy").contains(flavour)) {
            s.problem("flavour", flavour + " is not one of plain, fancy");
            return null;
        }
        return key == null || flavour == null ? null : new Settings(flavour, key);
    }

    record Settings(String flavour, Secret key) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new Upstream(flavour);
        }
    }

    record Upstream(String flavour) implements VideoUpstream {
        @Override
        public String provider() {
            return "test-echo";
        }

        @Override
        public ImageConstraints imageConstraints() {
            return new ImageConstraints(Set.of("image/png"), 1 << 20, false, 1024);
        }

        @Override
        public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 400, null, "echo does not render");
        }

        @Override
        public Poll poll(String handle, Duration timeout) {
            return new Poll.Failed("echo", "echo does not render");
        }

        @Override
        public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout) {
            return false;
        }

        @Override
        public boolean cancel(String handle, Duration timeout) {
            return false;
        }
    }
}
