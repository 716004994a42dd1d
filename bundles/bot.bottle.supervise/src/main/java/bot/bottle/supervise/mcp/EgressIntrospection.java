package bot.bottle.supervise.mcp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Fetches the live routes from the egress proxy's introspection endpoint,
 * {@code GET http://_egress.local/allowlist} sent to the proxy itself (the proxy answers that virtual
 * host and never forwards it). A raw HTTP/1.1 exchange: {@code _egress.local} is not a host name
 * {@code java.net.URI} accepts, so the JDK client cannot address it.
 */
public final class EgressIntrospection {

    static final String HOST = "_egress.local";
    static final int MAX_BODY = 1 << 20;

    private final InetSocketAddress proxy;
    private final int timeoutMillis;

    public EgressIntrospection(InetSocketAddress proxy, int timeoutMillis) {
        this.proxy = proxy;
        this.timeoutMillis = timeoutMillis;
    }

    /** The response body of a 200; anything else is an {@link IOException} with a one-line reason. */
    public String allowlist() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(proxy, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(("GET http://" + HOST + "/allowlist HTTP/1.1\r\nHost: " + HOST
                    + "\r\nAccept: application/json\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // Read until the response is complete rather than until EOF: a proxy that keeps the
            // connection open despite "Connection: close" must not turn into a read timeout.
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int limit = MAX_BODY + 16_384;
            for (int n; buf.size() < limit && (n = in.read(chunk, 0, Math.min(chunk.length, limit - buf.size()))) > 0;) {
                buf.write(chunk, 0, n);
                if (complete(buf.toByteArray())) {
                    break;
                }
            }
            return parse(buf.toByteArray());
        }
    }

    /** Whether {@code raw} holds a whole response: headers and a body framed by length or chunks. */
    static boolean complete(byte[] raw) {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = all.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            return false;
        }
        int bodyLength = raw.length - headEnd - 4;
        for (String line : all.substring(0, headEnd).split("\r\n")) {
            String h = line.toLowerCase(Locale.ROOT);
            if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                try {
                    dechunk(java.util.Arrays.copyOfRange(raw, headEnd + 4, raw.length));
                    return true;
                } catch (IOException incomplete) {
                    return false;
                }
            }
            if (h.startsWith("content-length:")) {
                try {
                    return bodyLength >= Integer.parseInt(h.substring(15).trim());
                } catch (NumberFormatException e) {
                    return true; // let parse() report it
                }
            }
        }
        return false; // no framing: the body ends at EOF
    }

    static String parse(byte[] raw) throws IOException {
        String all = new String(raw, StandardCharsets.ISO_8859_1);
        int headEnd = all.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            throw new IOException("egress proxy sent an incomplete response");
        }
        String[] head = all.substring(0, headEnd).split("\r\n");
        String[] status = head[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/1.")) {
            throw new IOException("egress proxy sent no HTTP status line");
        }
        if (!status[1].equals("200")) {
            throw new IOException("egress proxy answered " + status[1] + " for /allowlist");
        }
        boolean chunked = false;
        int length = -1;
        for (int i = 1; i < head.length; i++) {
            String h = head[i].toLowerCase(Locale.ROOT);
            if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
                chunked = true;
            } else if (h.startsWith("content-length:")) {
                length = Integer.parseInt(h.substring(15).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, headEnd + 4, raw.length);
        if (chunked) {
            body = dechunk(body);
        } else if (length >= 0) {
            if (body.length < length) {
                throw new IOException("egress proxy response was cut short");
            }
            body = java.util.Arrays.copyOf(body, length);
        }
        if (body.length > MAX_BODY) {
            throw new IOException("egress proxy response is larger than " + MAX_BODY + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private static byte[] dechunk(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        while (true) {
            int eol = indexOfCrlf(b, p);
            if (eol < 0) {
                throw new IOException("bad chunked encoding from egress proxy");
            }
            String sizeText = new String(b, p, eol - p, StandardCharsets.US_ASCII);
            int semi = sizeText.indexOf(';');
            int size;
            try {
                size = Integer.parseInt((semi < 0 ? sizeText : sizeText.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size from egress proxy");
            }
            p = eol + 2;
            if (size == 0) {
                return out.toByteArray();
            }
            if (size < 0 || p + size > b.length) {
                throw new IOException("bad chunked encoding from egress proxy");
            }
            out.write(b, p, size);
            p += size + 2;
        }
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
