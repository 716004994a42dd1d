package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImagesTest {
    @TempDir
    Path dist;

    private void jar(String name, String classText) throws IOException {
        Path p = dist.resolve("bundle").resolve(name);
        Files.createDirectories(p.getParent());
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(p))) {
            j.putNextEntry(new JarEntry("x/Y.class"));
            j.write(("\u00ca\u00fe" + classText).getBytes(StandardCharsets.UTF_8));
        }
    }

    private void layout() throws IOException {
        Files.createDirectories(dist.resolve("bin"));
        Files.writeString(dist.resolve("bin/bot-bottle"), "#!/bin/sh\n");
        dist.resolve("bin/bot-bottle").toFile().setExecutable(true);
        Files.createDirectories(dist.resolve("lib"));
        Files.writeString(dist.resolve("lib/bot.bottle.kernel-1.jar"), "kernel");
        jar("bot.bottle.egress-1.jar", "reads bot.bottle.egress.routes at start");
        jar("bot.bottle.supervise-1.jar", "no property here");
        jar("bot.bottle.cli-1.jar", "bot.bottle.gitgate.config but the cli is not in the sidecar set");
        jar("netty-common-4.jar", "netty");
        jar("jline-3.jar", "shell");
    }

    @Test
    void theSidecarContextIsTheBundleSetAndNothingElse() throws IOException {
        layout();
        BuildContext ctx = Images.sidecarContext(dist, "FROM x\n", "# set\nbot.bottle.egress-*.jar\nbot.bottle.supervise-*.jar\nnetty-*.jar\n");
        List<String> paths = new ArrayList<>();
        ctx.forEach((p, c) -> paths.add(p));
        assertEquals(List.of("Dockerfile", "dist/bin/bot-bottle", "dist/bundle/bot.bottle.egress-1.jar",
                "dist/bundle/bot.bottle.supervise-1.jar", "dist/bundle/netty-common-4.jar",
                "dist/lib/bot.bottle.kernel-1.jar"), paths);
        assertEquals("egress", Images.services(ctx), "a service counts when its bundle reads its property");
    }

    @Test
    void theRecipeHashFollowsContentNotTime() throws IOException {
        layout();
        String set = "bot.bottle.egress-*.jar\n";
        String h1 = Images.sidecarContext(dist, "FROM x\n", set).hash("base1");
        Files.setLastModifiedTime(dist.resolve("lib/bot.bottle.kernel-1.jar"), FileTime.fromMillis(0));
        assertEquals(h1, Images.sidecarContext(dist, "FROM x\n", set).hash("base1"), "touching a file is no change");
        assertNotEquals(h1, Images.sidecarContext(dist, "FROM y\n", set).hash("base1"), "Dockerfile");
        assertNotEquals(h1, Images.sidecarContext(dist, "FROM x\n", set).hash("base2"), "base image");
        Files.writeString(dist.resolve("lib/bot.bottle.kernel-1.jar"), "kernel2");
        assertNotEquals(h1, Images.sidecarContext(dist, "FROM x\n", set).hash("base1"), "a jar's content");
    }

    @Test
    void theStampSeesSizeAndTime() throws IOException {
        layout();
        String s1 = Images.stamp(dist, "x");
        assertEquals(s1, Images.stamp(dist, "x"));
        Files.setLastModifiedTime(dist.resolve("lib/bot.bottle.kernel-1.jar"), FileTime.fromMillis(12345));
        assertNotEquals(s1, Images.stamp(dist, "x"));
    }

    @Test
    void aDistributionWithoutLibIsRefusedByName() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Images.sidecarContext(dist, "FROM x", ""));
        assertTrue(e.getMessage().contains(dist.toString()));
    }

    @Test
    void tarIsReadableByTheSystemTar() throws Exception {
        BuildContext ctx = new BuildContext().add("Dockerfile", "FROM x\n")
                .add("a/" + "long-directory-name/".repeat(8) + "file.txt", "deep\n")
                .add("bin/run", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755);
        Path tar = dist.resolve("ctx.tar");
        Files.write(tar, ctx.tar());
        Process p = new ProcessBuilder("tar", "-tvf", tar.toString()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertEquals(0, p.waitFor(), out.toString());
        String listing = out.toString();
        assertTrue(listing.contains("long-directory-name/long-directory-name/long-directory-name/long-directory-name/"
                + "long-directory-name/long-directory-name/long-directory-name/long-directory-name/file.txt"), listing);
        assertTrue(listing.contains("-rwxr-xr-x"), listing);
        assertFalse(listing.contains("PaxHeader"), "the PAX header is metadata, not a file: " + listing);
        assertEquals(ctx.hash(""), new BuildContext().add("Dockerfile", "FROM x\n")
                .add("a/" + "long-directory-name/".repeat(8) + "file.txt", "deep\n")
                .add("bin/run", "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8), 0755).hash(""));
    }
}
