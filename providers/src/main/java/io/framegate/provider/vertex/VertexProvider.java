package io.framegate.provider.vertex;

import io.framegate.provider.ChannelSettings;
import io.framegate.provider.ProviderFactory;
import io.framegate.provider.ProviderSection;
import io.framegate.provider.ProviderSettings;
import io.framegate.provider.VideoUpstream;

import java.nio.file.Path;
import java.util.Set;

/** {@code type: vertex}: Veo on Vertex AI, with a service-account file or application-default credentials. */
public final class VertexProvider implements ProviderFactory {
    @Override
    public String type() {
        return "vertex";
    }

    @Override
    public Set<String> keys() {
        return Set.of("base_url", "api_version", "credentials_file", "project", "location", "storage_url", "output_gcs_uri");
    }

    @Override
    public Set<String> credentialKeys() {
        return Set.of("credentials_file");
    }

    @Override
    public Set<String> catalogProviders() {
        return Set.of("google");
    }

    @Override
    public ChannelSettings configure(ProviderSection s) {
        String project = s.require("project", "a vertex channel needs its Google Cloud project");
        String location = s.require("location", "e.g. us-central1 or global");
        Path credentials = s.credentialFile("credentials_file");
        String baseUrl = s.url("base_url");
        String storageUrl = s.url("storage_url");
        if (project == null || location == null) return null;
        return new Settings(baseUrl, s.text("api_version"), project, location, credentials, storageUrl,
                s.text("output_gcs_uri"));
    }

    /** @param credentialsFile null for application-default credentials */
    public record Settings(String baseUrl, String apiVersion, String project, String location, Path credentialsFile,
                           String storageUrl, String outputGcsUri) implements ChannelSettings {
        @Override
        public VideoUpstream open(ProviderSettings timing) {
            return new VertexUpstream(baseUrl, apiVersion, project, location, credentialsFile, storageUrl, outputGcsUri,
                    timing.requestTimeout());
        }
    }
}
