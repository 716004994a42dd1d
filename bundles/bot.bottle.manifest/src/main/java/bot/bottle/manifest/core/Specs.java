package bot.bottle.manifest.core;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import bot.bottle.api.plan.MatchRule;

/** The validated, not yet composed, content of manifest files. Nullable fields mean "not set". */
final class Specs {
    private Specs() {
    }

    /** A value and where it was written. */
    record Val<T>(T value, Loc loc) {
    }

    record Provider(Val<String> template, Val<String> authToken, Val<Path> dockerfile,
            Val<Boolean> forwardHostCredentials) {
        static final Provider EMPTY = new Provider(null, null, null, null);
    }

    record GitUser(String name, String email, Loc loc) {
    }

    record GitRepo(String name, String upstream, Val<Path> sshKey, Val<Path> knownHosts, Loc loc) {
    }

    record Auth(String scheme, String tokenRef, Loc loc) {
    }

    /**
     * One route. {@code outbound} / {@code inbound}: {@code null} not set, empty list {@code false},
     * otherwise the detector ids.
     */
    record Route(String host, Loc loc, Auth auth, List<MatchRule> matches, Boolean gitFetch,
            List<String> outbound, List<String> inbound, Val<String> outboundOnMatch) {
    }

    record Bottle(String name, ManifestFile file, List<Val<String>> extendsNames, Provider provider,
            Map<String, Val<String>> env, List<Val<String>> skills, GitUser gitUser,
            Map<String, GitRepo> repos, Val<String> log, List<Route> routes, Val<Boolean> supervise,
            String body) {
    }

    record Agent(String name, ManifestFile file, Val<String> bottle, List<Val<String>> skills,
            String prompt) {
    }
}
