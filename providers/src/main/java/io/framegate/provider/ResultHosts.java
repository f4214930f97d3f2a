package io.framegate.provider;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where a result download may go. The URL comes from the upstream's answer (a CDN link, a redirect), so a hostile
 * or broken upstream could point the gateway at its own network (a metadata service, an admin port) and have the
 * answer served to a client as a video. Allowed: http or https (plain http only when a channel's own base URL is plain
 * http), to a host whose every address is public ({@link AddressPolicy}) or is an address of the channel's own base
 * URLs (the operator chose those: a stand-in, a proxy on a private network).
 */
public final class ResultHosts {
    private final List<URI> bases;

    public ResultHosts(List<URI> bases) {
        this.bases = List.copyOf(bases);
    }

    /** Whether a connection to {@code a} may be used for a result: a public address, or one of the base URLs'. */
    public boolean allows(InetAddress a) {
        return !AddressPolicy.isForbidden(a) || baseAddresses().contains(a);
    }

    /** The words of a refusal of {@code host}, the same for every provider. */
    public static String refusal(String what, String host) {
        return what + ": the result URL's host " + host + " is on a private or reserved address; Framegate does not fetch it";
    }

    /** @throws UpstreamException REJECTED (the upstream named a place Framegate will not fetch), naming only the host */
    void check(URI uri, String what) throws UpstreamException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean plainAllowed = bases.stream().anyMatch(b -> "http".equalsIgnoreCase(b.getScheme()));
        if (!(scheme.equals("https") || (scheme.equals("http") && plainAllowed)) || uri.getHost() == null) {
            throw refused(what + ": the upstream named a result URL that is not https on a host");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            // not resolvable here: either the call fails as it would have, or it goes through a configured proxy
            // (which resolves it on its own network, the proxy's to police)
            return;
        }
        Set<InetAddress> own = null;
        for (InetAddress a : addresses) {
            if (!AddressPolicy.isForbidden(a)) continue;
            if (own == null) own = baseAddresses();
            if (!own.contains(a)) throw refused(refusal(what, uri.getHost()));
        }
    }

    private Set<InetAddress> baseAddresses() {
        Set<InetAddress> own = new HashSet<>();
        for (URI b : bases) {
            try {
                if (b.getHost() != null) own.addAll(List.of(InetAddress.getAllByName(b.getHost())));
            } catch (UnknownHostException ignored) {
                // a base that does not resolve vouches for nothing
            }
        }
        return own;
    }

    private static UpstreamException refused(String message) {
        return new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, message);
    }
}
