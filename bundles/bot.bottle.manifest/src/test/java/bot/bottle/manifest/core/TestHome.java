package bot.bottle.manifest.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** A bot-bottle home (and optionally a repository) in a temp folder, for tests. */
final class TestHome {
    final Path home;
    final Path repo;

    TestHome(Path tmp) {
        this.home = tmp.resolve("home");
        this.repo = tmp.resolve("repo");
        try {
            Files.createDirectories(home.resolve("bottles"));
            Files.createDirectories(home.resolve("agents"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TestHome bottle(String name, String text) {
        return write(home.resolve("bottles").resolve(name + ".md"), text);
    }

    TestHome agent(String name, String text) {
        return write(home.resolve("agents").resolve(name + ".md"), text);
    }

    TestHome repoFile(String rel, String text) {
        try {
            Files.createDirectories(repo.resolve(".git"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return write(repo.resolve(rel), text);
    }

    TestHome skill(String name) {
        try {
            Files.createDirectories(home.resolve("skills").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    TestHome write(Path p, String text) {
        try {
            Files.createDirectories(p.getParent());
            Files.writeString(p, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    static final Set<String> PROVIDERS = Set.of("claude", "codex", "gemini");

    Catalog catalog() {
        return new Catalog(home, Files.isDirectory(repo) ? repo : null, new ManifestParser(PROVIDERS));
    }

    PlanBuilder builder() {
        return new PlanBuilder(catalog(), ProviderCatalog.builtin());
    }
}
