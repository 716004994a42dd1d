package bot.bottle.manifest.core;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Splits a manifest file into its YAML frontmatter and its markdown body. The file must start with a
 * line {@code ---}; the frontmatter ends at the next line that is exactly {@code ---}.
 *
 * @param yaml      the frontmatter text (without the fences)
 * @param firstLine the file line the frontmatter text starts on (1-based), to map YAML marks back
 * @param body      the markdown body, trimmed
 */
record Frontmatter(String yaml, int firstLine, String body) {

    /** Files larger than this are refused before parsing: a manifest is a page, not a data set. */
    static final int MAX_BYTES = 256 * 1024;

    /** Decodes strictly (invalid UTF-8 is an error, not replacement characters) and splits. */
    static Frontmatter parse(String file, byte[] bytes) {
        if (bytes.length > MAX_BYTES) {
            throw new ManifestException(new Problem(file, 0, "",
                    "file is larger than " + MAX_BYTES + " bytes"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ManifestException(new Problem(file, 0, "", "not valid UTF-8"));
        }
        return parse(file, text);
    }

    static Frontmatter parse(String file, String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        String[] lines = text.split("\r?\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals("---")) {
            throw new ManifestException(new Problem(file, 1, "",
                    "expected YAML frontmatter: the first line must be ---"));
        }
        for (int i = 1; i < lines.length; i++) {
            if (lines[i].equals("---") || lines[i].equals("--- ") ) {
                StringBuilder yaml = new StringBuilder();
                for (int j = 1; j < i; j++) {
                    yaml.append(lines[j]).append('\n');
                }
                StringBuilder body = new StringBuilder();
                for (int j = i + 1; j < lines.length; j++) {
                    body.append(lines[j]).append('\n');
                }
                return new Frontmatter(yaml.toString(), 2, body.toString().strip());
            }
        }
        throw new ManifestException(new Problem(file, 1, "",
                "frontmatter is not closed: no line --- after line 1"));
    }
}
