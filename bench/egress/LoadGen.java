import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A small HTTPS load generator for bench/egress: raw sockets and hand-written HTTP/1.1 so the client
 * costs little. Through a proxy it uses CONNECT. It does not verify certificates (loopback benchmark
 * only: each proxy's CA differs, and correctness is what the module's tests check).
 *
 * args: direct|HOST:PORT  scenario(small|small-new|post100k|get1m)  clients  seconds
 * prints: requests/s p50_us p99_us errors
 */
public class LoadGen {
    static final String HOST = "bench.example.test";
    static final int PORT = 8443;

    public static void main(String[] a) throws Exception {
        String via = a[0];
        String scenario = a[1];
        int clients = Integer.parseInt(a[2]);
        long seconds = Long.parseLong(a[3]);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            public void checkClientTrusted(X509Certificate[] c, String s) { }
            public void checkServerTrusted(X509Certificate[] c, String s) { }
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        byte[] post = new byte[100 * 1024];
        Arrays.fill(post, (byte) 'x');
        String path = switch (scenario) {
            case "small", "small-new" -> "/small";
            case "post100k" -> "/post";
            case "get1m" -> "/1m";
            default -> throw new IllegalArgumentException(scenario);
        };
        boolean fresh = scenario.equals("small-new");
        boolean isPost = scenario.equals("post100k");
        byte[] head = ((isPost ? "POST " : "GET ") + path + " HTTP/1.1\r\nHost: " + HOST + ":" + PORT
                + "\r\nUser-Agent: loadgen\r\nAccept: */*\r\n"
                + (isPost ? "Content-Type: application/octet-stream\r\nContent-Length: " + post.length + "\r\n" : "")
                + (fresh ? "Connection: close\r\n" : "") + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        // warm-up: one second not counted
        long warm = System.nanoTime() + 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        List<long[]> lat = new ArrayList<>();
        List<int[]> counts = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            long[] l = new long[2_000_000];
            int[] n = new int[1];
            lat.add(l);
            counts.add(n);
            Thread t = new Thread(() -> {
                SSLSocket s = null;
                InputStream in = null;
                while (System.nanoTime() < end + 1_000_000_000L) {
                    long t0 = System.nanoTime();
                    try {
                        if (s == null) {
                            s = open(ctx, via);
                            in = new BufferedInputStream(s.getInputStream(), 65536);
                        }
                        OutputStream out = s.getOutputStream();
                        out.write(head);
                        if (isPost) {
                            out.write(post);
                        }
                        out.flush();
                        boolean keep = readResponse(in);
                        long dt = System.nanoTime() - t0;
                        if (t0 > warm && n[0] < l.length) {
                            l[n[0]++] = dt;
                        }
                        if (fresh || !keep) {
                            s.close();
                            s = null;
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        try {
                            if (s != null) {
                                s.close();
                            }
                        } catch (IOException ignored) {
                            // closing a broken socket
                        }
                        s = null;
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        int total = counts.stream().mapToInt(x -> x[0]).sum();
        long[] all = new long[total];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(lat.get(c), 0, all, k, counts.get(c)[0]);
            k += counts.get(c)[0];
        }
        Arrays.sort(all);
        double rps = total / (double) seconds;
        long p50 = total == 0 ? 0 : all[total / 2] / 1000;
        long p99 = total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.99))] / 1000;
        System.out.printf("%.0f %d %d %d%n", rps, p50, p99, errors.get());
    }

    static SSLSocket open(SSLContext ctx, String via) throws IOException {
        Socket raw = new Socket();
        raw.setTcpNoDelay(true);
        if (via.equals("direct")) {
            raw.connect(new InetSocketAddress("127.0.0.1", PORT), 5000);
        } else {
            String[] hp = via.split(":");
            raw.connect(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])), 5000);
            raw.getOutputStream().write(("CONNECT " + HOST + ":" + PORT + " HTTP/1.1\r\nHost: " + HOST + ":" + PORT
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = raw.getInputStream();
            StringBuilder h = new StringBuilder();
            while (!h.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new IOException("proxy closed");
                }
                h.append((char) c);
            }
            if (!h.toString().startsWith("HTTP/1.1 200") && !h.toString().startsWith("HTTP/1.0 200")) {
                throw new IOException("CONNECT refused: " + h);
            }
        }
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, HOST, PORT, true);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(HOST)));
        p.setApplicationProtocols(new String[] {"http/1.1"});
        s.setSSLParameters(p);
        s.startHandshake();
        return s;
    }

    /** Reads one response (Content-Length or chunked); true when the connection stays open. */
    static boolean readResponse(InputStream in) throws IOException {
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            throw new IOException("status " + status);
        }
        long len = -1;
        boolean chunked = false;
        boolean close = false;
        String l;
        while (!(l = line(in)).isEmpty()) {
            String lower = l.toLowerCase();
            if (lower.startsWith("content-length:")) {
                len = Long.parseLong(l.substring(15).trim());
            } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                chunked = true;
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        if (chunked) {
            while (true) {
                long n = Long.parseLong(line(in).split(";")[0].trim(), 16);
                if (n == 0) {
                    line(in);
                    break;
                }
                skip(in, n);
                line(in);
            }
        } else if (len >= 0) {
            skip(in, len);
        } else {
            while (in.read() >= 0) {
                // until close
            }
            return false;
        }
        return !close;
    }

    static void skip(InputStream in, long n) throws IOException {
        byte[] buf = new byte[65536];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new IOException("short body");
            }
            n -= r;
        }
    }

    static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = b.length();
                return len > 0 && b.charAt(len - 1) == '\r' ? b.substring(0, len - 1) : b.toString();
            }
            b.append((char) c);
        }
        throw new IOException("eof");
    }
}
