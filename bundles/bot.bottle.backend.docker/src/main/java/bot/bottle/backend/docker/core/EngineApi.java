package bot.bottle.backend.docker.core;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

/**
 * A small client for the Docker Engine API over its unix socket (or plain {@code tcp://}), written on
 * the JDK: one connection per request ({@code Connection: close}), HTTP/1.1 with chunked decoding, JSON
 * through Jackson's tree model. Unversioned paths, so the engine answers in its own API version.
 *
 * <p>Why not docker-java: measured here, its first call costs about 2.5 s of class loading and its
 * first list/info another 0.5 s each (7 MB embedded with Guava, HttpClient 5, commons); a bottle's
 * start-up budget is 1.5 s in all. This client's first call costs milliseconds. See docs/docker.md.
 */
public final class EngineApi {
    static final ObjectMapper JSON = new ObjectMapper();

    private final String host;

    /** An error status from the engine, with its message. */
    public static class EngineException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;

        EngineException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** 404: the container, image or network does not exist. */
    public static final class NotFound extends EngineException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(404, message);
        }
    }

    public EngineApi(String host) {
        this.host = host;
    }

    /** A query string from pairs (values URL-encoded); null values are left out. */
    public static String query(String path, Object... kv) {
        StringBuilder sb = new StringBuilder(path);
        char sep = '?';
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                continue;
            }
            sb.append(sep).append(kv[i]).append('=')
                    .append(URLEncoder.encode(String.valueOf(kv[i + 1]), StandardCharsets.UTF_8));
            sep = '&';
        }
        return sb.toString();
    }

    /** A JSON request; returns the parsed answer ({@link NullNode} for an empty body). */
    public JsonNode json(String method, String path, Object body) {
        byte[] bytes = null;
        if (body != null) {
            try {
                bytes = JSON.writeValueAsBytes(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        exchange(method, path, bytes, "application/json", in -> {
            try {
                in.transferTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (out.size() == 0) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(out.toByteArray());
        } catch (IOException e) {
            throw new EngineException(500, "engine answered " + method + " " + path + " with something not JSON");
        }
    }

    /** A request whose answer is a stream of JSON objects (build, pull): each is handed to {@code each}. */
    public void jsonStream(String method, String path, byte[] body, String contentType, Consumer<JsonNode> each) {
        exchange(method, path, body, contentType, in -> {
            try (MappingIterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(in)) {
                while (it.hasNextValue()) {
                    each.accept(it.nextValue());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Sends one request and hands the (de-chunked) response body to {@code reader} when the status is
     * 2xx; otherwise throws with the engine's message. {@code reader} runs on the calling thread.
     */
    public void exchange(String method, String path, byte[] body, String contentType, Consumer<InputStream> reader) {
        doExchange(method, path, body, contentType, null, reader);
    }

    private void doExchange(String method, String path, byte[] body, String contentType, Cancel cancel,
            Consumer<InputStream> reader) {
        try (Conn c = open()) {
            if (cancel != null) {
                cancel.bind(c);
            }
            StringBuilder head = new StringBuilder();
            head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
            head.append("Host: docker\r\nUser-Agent: bot-bottle\r\nConnection: close\r\n");
            if (body != null) {
                head.append("Content-Type: ").append(contentType).append("\r\n");
                head.append("Content-Length: ").append(body.length).append("\r\n");
            } else if (!method.equals("GET") && !method.equals("DELETE") && !method.equals("HEAD")) {
                head.append("Content-Length: 0\r\n");
            }
            head.append("\r\n");
            OutputStream out = c.out();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            InputStream in = c.in();
            int status = readStatus(in);
            Map<String, String> headers = readHeaders(in);
            InputStream bodyIn = bodyStream(in, headers);
            if (status == 101) {
                bodyIn = in; // an upgraded (hijacked) stream: raw until close
            }
            if (status >= 400) {
                String msg = new String(bodyIn.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                try {
                    JsonNode n = JSON.readTree(msg);
                    if (n != null && n.hasNonNull("message")) {
                        msg = n.get("message").asText();
                    }
                } catch (IOException notJson) {
                    // keep the raw text
                }
                msg = msg.strip();
                if (status == 404) {
                    throw new NotFound(msg);
                }
                throw new EngineException(status, msg);
            }
            reader.accept(bodyIn);
        } catch (UncheckedIOException e) {
            if (cancel != null && cancel.cancelled()) {
                return;
            }
            throw e;
        } catch (IOException e) {
            if (cancel != null && cancel.cancelled()) {
                return; // the caller gave up waiting; what was read so far is all there is
            }
            throw new UncheckedIOException("Docker engine at " + host + ": " + e.getMessage(), e);
        }
    }

    private static int readStatus(InputStream in) throws IOException {
        String line = readLine(in);
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP answer: " + line);
        }
        return Integer.parseInt(parts[1]);
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> h = new TreeMap<>();
        for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
            int c = line.indexOf(':');
            if (c > 0) {
                h.put(line.substring(0, c).strip().toLowerCase(Locale.ROOT), line.substring(c + 1).strip());
            }
        }
        return h;
    }

    private static InputStream bodyStream(InputStream in, Map<String, String> h) {
        if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            return new Chunked(in);
        }
        String len = h.get("content-length");
        if (len != null) {
            return new Limited(in, Long.parseLong(len));
        }
        return in; // Connection: close delimits it
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            if (sb.length() > 16 * 1024) {
                throw new IOException("header line too long");
            }
            sb.append((char) b);
        }
        throw new EOFException("engine closed the connection");
    }

    // ---------------------------------------------------------------- connections

    /** One connection; closing it also unblocks a reader on another thread (used for timeouts). */
    public interface Conn extends AutoCloseable {
        InputStream in() throws IOException;

        OutputStream out() throws IOException;

        @Override
        void close() throws IOException;
    }

    private Conn open() throws IOException {
        if (host.startsWith("unix://")) {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(host.substring("unix://".length())));
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch), 65536);
            OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 65536);
            return new Conn() {
                @Override
                public InputStream in() {
                    return in;
                }

                @Override
                public OutputStream out() {
                    return out;
                }

                @Override
                public void close() throws IOException {
                    ch.close();
                }
            };
        }
        if (host.startsWith("tcp://") || host.startsWith("http://")) {
            URI u = URI.create(host.replaceFirst("^tcp://", "http://"));
            Socket s = new Socket();
            s.connect(new InetSocketAddress(u.getHost(), u.getPort() < 0 ? 2375 : u.getPort()), 3000);
            InputStream in = new java.io.BufferedInputStream(s.getInputStream(), 65536);
            OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 65536);
            return new Conn() {
                @Override
                public InputStream in() {
                    return in;
                }

                @Override
                public OutputStream out() {
                    return out;
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }
        throw new IOException("unsupported DOCKER_HOST " + host + " (unix:// or tcp:// without TLS)");
    }

    /** Closes the connection of a running {@link #exchange} from another thread (a timeout). */
    public static final class Cancel {
        private volatile Conn conn;
        private volatile boolean cancelled;

        void bind(Conn c) throws IOException {
            conn = c;
            if (cancelled) {
                c.close();
            }
        }

        public void cancel() {
            cancelled = true;
            Conn c = conn;
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    // closing is the point
                }
            }
        }

        public boolean cancelled() {
            return cancelled;
        }
    }

    /** As {@link #exchange}, cancellable: {@link Cancel#cancel()} closes the connection. */
    public void exchange(String method, String path, byte[] body, String contentType, Cancel cancel,
            Consumer<InputStream> reader) {
        doExchange(method, path, body, contentType, cancel, reader);
    }

    /**
     * Splits Docker's multiplexed stream (8-byte frame header: stream type, three zero bytes, big-endian
     * length) into stdout and stderr. Stops at EOF.
     */
    public static void demux(InputStream in, OutputStream out, OutputStream err) throws IOException {
        byte[] head = new byte[8];
        while (true) {
            int n = in.readNBytes(head, 0, 8);
            if (n < 8) {
                return;
            }
            int len = ((head[4] & 0xff) << 24) | ((head[5] & 0xff) << 16) | ((head[6] & 0xff) << 8) | (head[7] & 0xff);
            byte[] payload = in.readNBytes(len);
            (head[0] == 2 ? err : out).write(payload);
            if (payload.length < len) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- body decoders

    /** Reads exactly {@code n} bytes, then EOF. */
    static final class Limited extends InputStream {
        private final InputStream in;
        private long left;

        Limited(InputStream in, long n) {
            this.in = in;
            this.left = n;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** HTTP/1.1 chunked transfer decoding. */
    static final class Chunked extends InputStream {
        private final InputStream in;
        private long left;
        private boolean done;

        Chunked(InputStream in) {
            this.in = in;
        }

        private boolean next() throws IOException {
            if (done) {
                return false;
            }
            if (left == 0) {
                String line = readLine(in);
                if (line.isEmpty()) {
                    line = readLine(in); // the CRLF after the previous chunk
                }
                int semi = line.indexOf(';');
                left = Long.parseLong((semi < 0 ? line : line.substring(0, semi)).strip(), 16);
                if (left == 0) {
                    done = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!next()) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("chunk cut short");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!next()) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("chunk cut short");
            }
            left -= n;
            return n;
        }
    }
}
