package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class EngineApiTest {
    @Test
    void chunkedBodiesDecode() throws Exception {
        byte[] wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals("hello, world", new String(new EngineApi.Chunked(new ByteArrayInputStream(wire)).readAllBytes(),
                StandardCharsets.US_ASCII));
        byte[] cut = "5\r\nhel".getBytes(StandardCharsets.US_ASCII);
        assertThrows(EOFException.class, () -> new EngineApi.Chunked(new ByteArrayInputStream(cut)).readAllBytes());
    }

    @Test
    void multiplexedStreamsSplit() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        frame(wire, 1, "out1 ");
        frame(wire, 2, "err1");
        frame(wire, 1, "out2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        EngineApi.demux(new ByteArrayInputStream(wire.toByteArray()), out, err);
        assertEquals("out1 out2", out.toString());
        assertEquals("err1", err.toString());
    }

    @Test
    void queryValuesAreEncoded() {
        assertEquals("/build?t=a%2Fb%3Alatest&labels=%7B%22k%22%3A%22v%22%7D",
                EngineApi.query("/build", "t", "a/b:latest", "skip", null, "labels", "{\"k\":\"v\"}"));
    }

    @Test
    void aMissingSocketIsNamed() {
        DockerEngine e = new DockerEngine("unix:///nonexistent/docker.sock", "auto");
        assertEquals("Docker is not running: no socket at /nonexistent/docker.sock (install docker.io and start dockerd,"
                + " or set DOCKER_HOST)", e.unreachableReason());
        assertEquals(false, e.preflight().ok());
    }

    private static void frame(ByteArrayOutputStream w, int stream, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        w.writeBytes(new byte[] {(byte) stream, 0, 0, 0, 0, 0, (byte) (b.length >> 8), (byte) b.length});
        w.writeBytes(b);
    }
}
