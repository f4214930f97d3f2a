package io.framegate.provider;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Which addresses a server-side fetch (an image URL, a webhook, an upstream's result URL) may not reach: loopback, private, link-local, CGNAT (100.64/10), benchmarking
 * (198.18/15), documentation, multicast and reserved ranges, and the IPv6 forms that carry one of those inside
 * (IPv4-mapped and -compatible, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo), which a gateway would unwrap.
 */
public final class AddressPolicy {
    private AddressPolicy() {
    }

    /** True when a server-side fetch must not connect to {@code a}. */
    public static boolean isForbidden(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) return forbiddenV4(b);
        if (!(a instanceof Inet6Address)) return true;
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) return true;
        int first = b[0] & 0xff;
        if ((first & 0xfe) == 0xfc) return true; // unique local fc00::/7
        if (zeros(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) return forbiddenV4(tail(b, 12)); // mapped
        if (zeros(b, 0, 12)) return true; // IPv4-compatible (deprecated) and ::/96: never a real public host
        if (first == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b) {
            // NAT64: 64:ff9b::/96 embeds an IPv4 address; 64:ff9b:1::/48 is for local networks only
            return !zeros(b, 4, 12) || forbiddenV4(tail(b, 12));
        }
        if (first == 0x20 && (b[1] & 0xff) == 0x02) return forbiddenV4(new byte[] {b[2], b[3], b[4], b[5]}); // 6to4
        if (first == 0x20 && b[1] == 0x01 && b[2] == 0x00 && b[3] == 0x00) { // Teredo: the client's address, inverted
            byte[] client = tail(b, 12);
            for (int i = 0; i < 4; i++) client[i] = (byte) ~client[i];
            return forbiddenV4(client);
        }
        return first == 0x20 && b[1] == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8; // 2001:db8::/32 docs
    }

    private static boolean forbiddenV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        return a0 == 0 || a0 == 10 || a0 == 127 || a0 >= 224 // this network, private, loopback, multicast, reserved
                || (a0 == 100 && (a1 & 0xc0) == 64) // CGNAT 100.64.0.0/10
                || (a0 == 169 && a1 == 254) // link-local
                || (a0 == 172 && (a1 & 0xf0) == 16) // private 172.16/12
                || (a0 == 192 && a1 == 168) // private
                || (a0 == 192 && a1 == 0 && (a2 == 0 || a2 == 2)) // IETF protocol assignments, TEST-NET-1
                || (a0 == 198 && (a1 & 0xfe) == 18) // benchmarking 198.18.0.0/15
                || (a0 == 198 && a1 == 51 && a2 == 100) || (a0 == 203 && a1 == 0 && a2 == 113); // TEST-NET-2, -3
    }

    private static boolean zeros(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    private static byte[] tail(byte[] b, int from) {
        return new byte[] {b[from], b[from + 1], b[from + 2], b[from + 3]};
    }

    /** For tests and messages: the policy applied to a literal address. */
    public static boolean isForbidden(String literal) throws UnknownHostException {
        return isForbidden(InetAddress.getByName(literal));
    }
}
