package io.framegate.server.storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A TCP relay on loopback in front of an HTTP/1.1 server that writes down every request passing through it, as sent
 * on the wire: request line and headers. The bytes go through untouched (a signed S3 request stays valid: its
 * {@code Host} names the relay, which is what the client signed). Bodies must carry a {@code Content-Length}.
 */
final class RecordingRelay implements AutoCloseable {
    /** One request as it crossed the wire. */
    record Request(String method, String target, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The number of bytes of the body before any transfer encoding ({@code aws-chunked} included). */
        long payloadLength() {
            String decoded = header("x-amz-decoded-content-length");
            return Long.parseLong(decoded != null ? decoded : header("content-length") == null ? "0" : header("content-length"));
        }

        /** The query string's parameter names, e.g. {@code uploads}, {@code partNumber}, {@code uploadId}. */
        List<String> queryNames() {
            String q = URI.create(target).getRawQuery();
            if (q == null) return List.of();
            List<String> names = new ArrayList<>();
            for (String p : q.split("&")) names.add(p.split("=", 2)[0]);
            return names;
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    private final ServerSocket server;
    private final int targetPort;
    private final List<Request> requests = new ArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();

    RecordingRelay(URI target) throws IOException {
        this.targetPort = target.getPort();
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "recording-relay");
        accept.setDaemon(true);
        accept.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized void clear() {
        requests.clear();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                synchronized (this) {
                    sockets.add(client);
                    sockets.add(upstream);
                }
                start(() -> requestsFrom(client.getInputStream(), upstream.getOutputStream()), client, upstream);
                start(() -> {
                    upstream.getInputStream().transferTo(client.getOutputStream());
                    return null;
                }, client, upstream);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private interface Pump {
        Object run() throws IOException;
    }

    private static void start(Pump pump, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException ignored) {
                // a side closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, "recording-relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Copies requests one after the other, noting each one's line and headers; bodies by their Content-Length. */
    private Object requestsFrom(InputStream in, OutputStream out) throws IOException {
        while (true) {
            byte[] head = readHead(in);
            if (head == null) return null;
            String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] first = lines[0].split(" ");
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            if (headers.containsKey("transfer-encoding")) throw new IOException("chunked requests are not relayed: " + lines[0]);
            synchronized (this) {
                requests.add(new Request(first[0], first[1], headers));
            }
            out.write(head);
            out.flush();
            long left = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
            byte[] buf = new byte[64 * 1024];
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) return null;
                out.write(buf, 0, n);
                left -= n;
            }
            out.flush();
        }
    }

    /** The bytes up to and including the blank line ending the headers, or null at the end of the stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) return null;
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1
                    : b == '\r' ? 1 : 0;
        }
        return head.toByteArray();
    }

    private static void closeQuietly(Socket s) {
        try {
            if (s != null) s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (this) {
            sockets.forEach(RecordingRelay::closeQuietly);
        }
    }
}
