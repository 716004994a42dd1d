package bot.bottle.backend.docker.core;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A minimal POSIX tar writer (ustar, with a PAX header for names longer than ustar allows): regular
 * files only, fixed owner and time, so the same files always give the same bytes.
 */
final class Tar {
    private final ByteArrayOutputStream out;

    Tar(int sizeHint) {
        out = new ByteArrayOutputStream(sizeHint);
    }

    void file(String name, byte[] content, int mode) {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > 100) {
            // PAX extended header carrying the full path; the ustar name below is a truncated stand-in
            String rec = " path=" + name + "\n";
            int len = rec.getBytes(StandardCharsets.UTF_8).length;
            int total = len + Integer.toString(len).length();
            if (Integer.toString(total).length() != Integer.toString(len).length()) {
                total++;
            }
            byte[] pax = (total + rec).getBytes(StandardCharsets.UTF_8);
            header("PaxHeader", pax.length, 0644, (byte) 'x');
            write(pax);
            name = name.substring(name.length() - 99).replaceFirst("^/+", "");
        }
        header(name, content.length, mode, (byte) '0');
        write(content);
    }

    private void write(byte[] data) {
        out.writeBytes(data);
        int pad = (512 - data.length % 512) % 512;
        out.writeBytes(new byte[pad]);
    }

    private void header(String name, long size, int mode, byte type) {
        byte[] h = new byte[512];
        put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
        octal(h, 100, 8, mode);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 0);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        h[156] = type;
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(chk, 0, h, 148, 8);
        out.writeBytes(h);
    }

    private static void put(byte[] h, int off, int len, byte[] v) {
        System.arraycopy(v, 0, h, off, Math.min(len, v.length));
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        put(h, off, len - 1, s.getBytes(StandardCharsets.US_ASCII));
        h[off + len - 1] = 0;
    }

    byte[] finish() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }
}
