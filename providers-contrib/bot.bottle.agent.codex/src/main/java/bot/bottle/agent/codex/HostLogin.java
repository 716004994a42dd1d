package bot.bottle.agent.codex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The host's Codex ChatGPT (device-auth) login, read from {@code $CODEX_HOME/auth.json} (default
 * {@code ~/.codex/auth.json}). Only the access token is secret; the account id and plan type are
 * identifiers the agent's placeholder login repeats so the CLI addresses the same account.
 *
 * @param file        where the login was read (for messages)
 * @param accessToken the secret: never logged, never in a plan
 * @param accountId   {@code tokens.account_id}
 * @param planType    the id token's {@code chatgpt_plan_type}, or "" when absent
 */
record HostLogin(Path file, String accessToken, String accountId, String planType) {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String toString() {
        return "HostLogin[" + file + ", account " + accountId + "]"; // the token stays out of logs
    }

    /** Reads the login; fails with one line naming the file and the fix. */
    static HostLogin read(Path file) {
        String fix = "; run 'codex login --device-auth' on the host, or turn off agent_provider.forward_host_credentials";
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("forward_host_credentials: " + file + " does not exist" + fix);
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The parser's message may quote the file's content: name the file only.
            throw new IllegalStateException("forward_host_credentials: " + file + " is not readable JSON" + fix);
        }
        JsonNode tokens = root == null ? null : root.get("tokens");
        String access = text(tokens, "access_token");
        if (access.isEmpty()) {
            throw new IllegalStateException("forward_host_credentials: " + file + " has no ChatGPT login"
                    + " (tokens.access_token)" + fix);
        }
        String account = text(tokens, "account_id");
        String plan = "";
        String idToken = text(tokens, "id_token");
        JsonNode claims = jwtClaims(idToken);
        if (claims != null) {
            JsonNode auth = claims.get("https://api.openai.com/auth");
            if (account.isEmpty()) {
                account = text(auth, "chatgpt_account_id");
            }
            plan = text(auth, "chatgpt_plan_type");
        }
        if (!account.matches("[A-Za-z0-9_-]{1,200}")) {
            throw new IllegalStateException("forward_host_credentials: " + file + " has no usable tokens.account_id" + fix);
        }
        if (!plan.matches("[A-Za-z0-9_-]{0,64}")) {
            plan = "";
        }
        return new HostLogin(file, access, account, plan);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isTextual() ? v.asText() : "";
    }

    private static JsonNode jwtClaims(String jwt) {
        String[] parts = jwt.split("\\.");
        if (parts.length < 2) {
            return null;
        }
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
