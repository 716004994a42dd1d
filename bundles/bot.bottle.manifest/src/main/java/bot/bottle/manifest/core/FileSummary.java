package bot.bottle.manifest.core;

import java.util.List;

/**
 * One manifest file as {@code list} shows it: what it names, and whether it parses on its own.
 *
 * @param file     the file
 * @param bottle   for an agent, the bottle it names ("" if unreadable)
 * @param extendsNames for a bottle, the bottles it extends
 * @param template for a bottle, its own {@code agent_provider.template} ("" if it sets none)
 * @param problems what is wrong with the file alone (empty when it parses)
 */
public record FileSummary(ManifestFile file, String bottle, List<String> extendsNames, String template,
        List<Problem> problems) {
    public FileSummary {
        extendsNames = List.copyOf(extendsNames);
        problems = List.copyOf(problems);
    }
}
