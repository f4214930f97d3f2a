package io.framegate.provider;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where a result download may go. The URL comes from the upstream's answer (a CDN link, a redirect), so a hostile
 * or broken upstream could point the gateway at its own network (a metadata service, an admin port) and have the
 * answer served to a client as a video. Allowed: http or https (plain http only when a channel's own base URL is plain
 * http), to a host whose every address is public ({@link AddressPolicy}) or is an address of the channel's own base
 * URLs (the operator chose those: a stand-in, a proxy on a private network).
 */
public final class ResultHosts implements PinnedFetcher.Rule {
    private final List<URI> bases;
    private final BoundedLookup lookup;

    public ResultHosts(List<URI> bases) {
        this(bases, InetAddress::getAllByName);
    }

    /** @param resolver how the base URLs' hosts are resolved (each lookup bounded by {@link BoundedLookup#MAX_WAIT}) */
    public ResultHosts(List<URI> bases, PinnedFetcher.Resolver resolver) {
        this.bases = List.copyOf(bases);
        this.lookup = new BoundedLookup(resolver);
    }

    /** Whether a connection to {@code a} may be used for a result: a public address, or one of the base URLs'. */
    @Override
    public boolean allows(InetAddress a) {
        return !AddressPolicy.isForbidden(a) || baseAddresses().contains(a);
    }

    /** https, and plain http only when a base URL is plain http. */
    @Override
    public boolean allowsScheme(String scheme) {
        return scheme.equals("https")
                || scheme.equals("http") && bases.stream().anyMatch(b -> "http".equalsIgnoreCase(b.getScheme()));
    }

    /** The words of a refusal of {@code host}, the same for every provider. */
    public static String refusal(String what, String host) {
        return what + ": the result URL's host " + host + " is on a private or reserved address; Framegate does not fetch it";
    }

    private Set<InetAddress> baseAddresses() {
        Set<InetAddress> own = new HashSet<>();
        for (URI b : bases) {
            try {
                if (b.getHost() != null) {
                    own.addAll(lookup.resolve(PinnedFetcher.bare(b.getHost()), System.nanoTime() + BoundedLookup.MAX_WAIT.toNanos()));
                }
            } catch (IOException ignored) {
                // a base that does not resolve (in time) vouches for nothing
            }
        }
        return own;
    }
}
