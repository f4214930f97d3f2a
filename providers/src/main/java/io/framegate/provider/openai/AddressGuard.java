package io.framegate.provider.openai;

import io.framegate.provider.ResultHosts;
import okhttp3.Connection;
import okhttp3.Interceptor;
import okhttp3.Response;

import java.io.IOException;
import java.net.InetAddress;

/**
 * Checks the address every request of the SDK's OkHttp actually connected to, redirects included (OkHttp follows
 * them, so a content download answered with a redirect to 169.254.169.254 was fetched): a private or reserved address
 * other than the base URL's is refused before the request is written. Checking the connection, not a name, also
 * covers literal IPs and a second DNS answer.
 */
final class AddressGuard implements Interceptor {
    /** A connection to an address Framegate does not fetch from. */
    static final class Refused extends IOException {
        final String host;

        Refused(String host) {
            super("refused: " + host + " is on a private or reserved address");
            this.host = host;
        }
    }

    private final ResultHosts hosts;

    AddressGuard(ResultHosts hosts) {
        this.hosts = hosts;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
        Connection c = chain.connection();
        // through a proxy the connection is the proxy's (which resolves and polices the host on its own network)
        boolean direct = c != null && c.route().proxy().type() == java.net.Proxy.Type.DIRECT;
        InetAddress a = direct ? c.route().socketAddress().getAddress() : null;
        if (a != null && !hosts.allows(a)) throw new Refused(chain.request().url().host());
        return chain.proceed(chain.request());
    }
}
