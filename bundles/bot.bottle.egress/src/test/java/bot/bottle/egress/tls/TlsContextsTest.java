package bot.bottle.egress.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;

/**
 * Both TLS engines, over real loopback handshakes: the upstream client verifies the chain and the host
 * name (a trusted certificate for another name is refused), and a leaf context serves the host it was
 * issued for. The proxy's own tests run on whichever engine {@link TlsEngine} picked (BoringSSL here).
 */
class TlsContextsTest {
    @TempDir
    Path dir;

    @Test
    void theNativeEngineIsWhatTheProxyUsesOnLinux() {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && (arch.equals("amd64") || arch.equals("aarch64")), "netty-tcnative is embedded for Linux only");
        assertTrue(TlsEngine.isNative(), TlsEngine.describe());
        assertEquals(SslProvider.OPENSSL, TlsEngine.provider());
        assertTrue(TlsEngine.describe().startsWith("openssl (BoringSSL"), TlsEngine.describe());
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void upstreamClientVerifiesChainAndHostName(SslProvider provider) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "no native TLS here");
        BottleCa proxyCa = BottleCa.loadOrCreate(dir.resolve("proxy"), "proxy");
        BottleCa upstreamCa = BottleCa.loadOrCreate(dir.resolve("up"), "upstream");
        BottleCa strangerCa = BottleCa.loadOrCreate(dir.resolve("stranger"), "stranger");
        TlsContexts trusting = new TlsContexts(proxyCa, upstreamCa.certificatePath(), provider);
        TlsContexts system = new TlsContexts(proxyCa, null, provider);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            // the upstream: a leaf for other.example.test from the upstream CA (served by the JDK engine)
            TlsContexts upstreamSide = new TlsContexts(upstreamCa, null, SslProvider.JDK);
            Channel server = serve(group, upstreamSide, "other.example.test");
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            assertTrue(handshake(group, trusting, "other.example.test", port), "trusted chain, right name");
            assertFalse(handshake(group, trusting, "api.example.test", port), "trusted chain, wrong name");
            assertFalse(handshake(group, system, "other.example.test", port), "chain not trusted");
            Channel stranger = serve(group, new TlsContexts(strangerCa, null, SslProvider.JDK), "other.example.test");
            int port2 = ((InetSocketAddress) stranger.localAddress()).getPort();
            assertFalse(handshake(group, trusting, "other.example.test", port2), "another CA, same name");
            server.close().sync();
            stranger.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"JDK", "OPENSSL"})
    void leafContextServesItsHostToAJdkClient(SslProvider provider) throws Exception {
        assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "no native TLS here");
        BottleCa ca = BottleCa.loadOrCreate(dir.resolve("ca"), "proxy");
        TlsContexts tls = new TlsContexts(ca, null, provider);
        assertTrue(tls.serverFor("api.example.test") == tls.cachedServerFor("api.example.test"), "cached per host");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = serve(group, tls, "api.example.test");
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            long[] created = new long[2];
            for (int i = 0; i < 2; i++) { // the second connection resumes; both verify
                try (Socket raw = new Socket("127.0.0.1", port);
                     SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(raw, "api.example.test", port,
                             true)) {
                    SSLParameters p = s.getSSLParameters();
                    p.setServerNames(List.of(new SNIHostName("api.example.test")));
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    s.setSSLParameters(p);
                    s.startHandshake();
                    created[i] = s.getSession().getCreationTime();
                    X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
                    assertEquals(List.of(List.of(2, "api.example.test")), leaf.getSubjectAlternativeNames().stream()
                            .map(List::copyOf).toList());
                    s.getOutputStream().write('x');
                    s.getOutputStream().flush();
                    InputStream in = s.getInputStream();
                    assertEquals('x', in.read(), "echoed through the TLS session");
                    Thread.sleep(5); // a new session would have a later creation time
                }
            }
            assertEquals(created[0], created[1], "the second connection resumed the first session (tickets on)");
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** A TLS echo server on loopback serving the leaf of {@code host}. */
    private static Channel serve(EventLoopGroup group, TlsContexts tls, String host) throws Exception {
        var ctx = tls.serverFor(host);
        return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(ctx.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(io.netty.channel.ChannelHandlerContext c, Object msg) {
                                c.writeAndFlush(msg);
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    /** Whether the proxy's upstream client completes a handshake to 127.0.0.1:port as {@code host}. */
    private static boolean handshake(EventLoopGroup group, TlsContexts tls, String host, int port) throws Exception {
        SslHandler[] h = new SslHandler[1];
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        h[0] = tls.client().newHandler(c.alloc(), host, port);
                        c.pipeline().addLast(h[0]);
                    }
                }).connect("127.0.0.1", port).sync().channel();
        Future<Channel> f = h[0].handshakeFuture().await();
        assertTrue(f.isDone());
        ch.close().sync();
        return f.isSuccess();
    }
}
