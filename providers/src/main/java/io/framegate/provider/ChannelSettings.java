package io.framegate.provider;

/**
 * One channel's checked settings, made by its {@link ProviderFactory} at load and opened by {@link Routing}. Its
 * {@code toString} must never show a credential (hold them as {@link Secret}s).
 */
public interface ChannelSettings {
    /** The upstream client of this channel; {@code timing} bounds its calls ({@link ProviderSettings#requestTimeout}). */
    VideoUpstream open(ProviderSettings timing);
}
