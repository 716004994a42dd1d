package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

class PolicyUnitTest {

    @Test
    void pathNormalisation() {
        assertEquals("/a/b", RequestPolicy.normalisePath("/a/b"));
        assertEquals("/b", RequestPolicy.normalisePath("/a/../b"));
        assertEquals("/", RequestPolicy.normalisePath("/.."));
        assertEquals("/a/", RequestPolicy.normalisePath("/a/./"));
        assertEquals("/a/", RequestPolicy.normalisePath("/a/b/.."));
        for (String bad : new String[] {"a", "", "/a%2fb", "/a%2E%2e/", "/a\\b", "/a b", "/a%zz", "/a%0", "/a%00"}) {
            assertThrows(IllegalArgumentException.class, () -> RequestPolicy.normalisePath(bad), bad);
        }
    }

    @Test
    void addressClasses() throws Exception {
        for (String a : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fd00:ec2::254", "fc00::1", "::ffff:127.0.0.1",
                "::ffff:10.0.0.1", "224.0.0.1", "198.18.0.1", "168.63.129.16", "240.0.0.1"}) {
            assertNotNull(AddressPolicy.nonPublic(InetAddress.getByName(a)), a);
        }
        for (String a : new String[] {"93.184.216.34", "140.82.112.3", "2606:4700::6810:85e5", "8.8.8.8"}) {
            assertNull(AddressPolicy.nonPublic(InetAddress.getByName(a)), a);
        }
        assertTrue(AddressPolicy.metadata(InetAddress.getByName("::ffff:169.254.169.254")));
    }

    @Test
    void pinsParseLikeCurl() {
        ResolvePin p = ResolvePin.parse("API.Example.test.:8443:127.0.0.1");
        assertEquals("api.example.test", p.host());
        assertEquals(8443, p.port());
        assertEquals("::1", ResolvePin.parse("a.test:443:[::1]").address().getHostAddress().replace("0:0:0:0:0:0:0:1", "::1"));
        assertThrows(IllegalArgumentException.class, () -> ResolvePin.parse("a.test:443:example.com"));
        assertThrows(IllegalArgumentException.class, () -> ResolvePin.parse("a.test:99999:127.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> ResolvePin.parse("a.test:80:169.254.169.254"));
    }

    @Test
    void framingRules() {
        HttpHeaders ok = new DefaultHttpHeaders().add("content-length", "5");
        assertNull(RequestPolicy.framing(ok));
        assertEquals("smuggling", RequestPolicy.framing(new DefaultHttpHeaders().add("content-length", "5")
                .add("transfer-encoding", "chunked")).rule());
        assertNotNull(RequestPolicy.framing(new DefaultHttpHeaders().add("content-length", "5, 5")));
        assertNotNull(RequestPolicy.framing(new DefaultHttpHeaders().add("transfer-encoding", "chunked, chunked")));
        assertNotNull(RequestPolicy.framing(new DefaultHttpHeaders().add("host", "a").add("host", "b")));
    }

    @Test
    void gitAndLfs() {
        assertTrue(RequestPolicy.lfsUpload("/r.git/info/lfs/objects/batch",
                "{\"operation\": \"upload\", \"objects\": []}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(!RequestPolicy.lfsUpload("/r.git/info/lfs/objects/batch",
                "{\"operation\":\"download\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(RequestPolicy.lfsUpload("/r.git/info/lfs/objects/batch", "{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void acceptEncodingOffersOnlyDecodableCodings() {
        assertEquals("gzip, br;q=0.9", ClientHandler.filterAcceptEncoding("gzip, zstd, br;q=0.9, compress"));
        assertEquals("", ClientHandler.filterAcceptEncoding("zstd"));
    }

    @Test
    void bodyDecodingIsCapped() throws Exception {
        byte[] zeros = new byte[5 << 20];
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(zeros);
        }
        byte[] bomb = bo.toByteArray();
        assertThrows(java.io.IOException.class, () -> BodyCodec.decode(bomb, "gzip", 1 << 20), "size cap");
        assertThrows(java.io.IOException.class, () -> BodyCodec.decode(bomb, "gzip", 64 << 20), "ratio cap");
        byte[] small = gzip(new byte[512 << 10]);
        assertEquals(512 << 10, BodyCodec.decode(small, "gzip", 8 << 20).length, "under the 1 MiB floor");
        assertThrows(java.io.IOException.class, () -> BodyCodec.decode(new byte[] {1, 2, 3}, "zstd", 100));
        assertThrows(java.io.IOException.class, () -> BodyCodec.decode(new byte[] {1, 2, 3}, "gzip", 100));
    }

    static byte[] gzip(byte[] in) throws java.io.IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(in);
        }
        return bo.toByteArray();
    }

    @Test
    void reflectionFormsCoverCommonEncodings() {
        var forms = DlpStage.reflectionForms("tok/en+1");
        assertTrue(forms.contains("tok/en+1"));
        assertTrue(forms.contains("tok%2Fen%2B1"));
        assertTrue(forms.contains(java.util.Base64.getEncoder().withoutPadding()
                .encodeToString("tok/en+1".getBytes(StandardCharsets.UTF_8))));
        // "?>?>" encodes to "Pz4/Pg" (standard) and "Pz4_Pg" (URL alphabet): both kept; equal forms only once
        assertEquals(4, DlpStage.reflectionForms("?>?>").size());
        assertEquals(2, DlpStage.reflectionForms("plain").size());
    }

    @Test
    void guardPrefilterSeesEveryFormInUtf8AndLatin1Bodies() {
        String token = "t\u00f6ken-\u00e9t\u00e9-42";
        var set = DlpStage.guardBytes(token).orElseThrow();
        for (String form : DlpStage.reflectionForms(token)) {
            for (var cs : List.of(StandardCharsets.UTF_8, StandardCharsets.ISO_8859_1)) {
                byte[] body = ("{\"echo\": \"" + form + "\"}").getBytes(cs);
                assertTrue(set.containsAny(body), form + " in " + cs);
            }
        }
        assertFalse(set.containsAny("{\"echo\": \"nothing here\"}".getBytes(StandardCharsets.UTF_8)));
        // a token too short for any form to be replaced needs no body pass at all
        assertTrue(DlpStage.guardBytes("ab").isEmpty());
    }

    @Test
    void bodyCopyKeepsExactlyTheAnnouncedBytes() {
        BodyCopy c = BodyCopy.of(6, 1 << 20);
        c.add(io.netty.buffer.Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));
        assertNull(c.complete(), "short of the announced length");
        c.add(io.netty.buffer.Unpooled.copiedBuffer("def", StandardCharsets.US_ASCII));
        assertEquals("abcdef", new String(c.complete(), StandardCharsets.US_ASCII));
        c.add(io.netty.buffer.Unpooled.copiedBuffer("g", StandardCharsets.US_ASCII));
        assertNull(c.complete(), "more than announced abandons the copy");
        assertNull(BodyCopy.of(-1, 1 << 20), "nothing announced");
        assertNull(BodyCopy.of(BodyCopy.MAX + 1L, Integer.MAX_VALUE), "above the cap");
        assertNull(BodyCopy.of(100, 10), "above the caller's bound");
        assertEquals(-1, BodyCopy.announced(new DefaultHttpHeaders().add("content-length", "12x")));
    }
}
