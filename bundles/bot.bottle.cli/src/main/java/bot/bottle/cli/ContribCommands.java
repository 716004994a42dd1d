package bot.bottle.cli;

import java.nio.file.Path;
import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import bot.bottle.kernel.api.ContribEntry;
import bot.bottle.kernel.api.KernelService;

/** {@code bot-bottle contrib keygen | sign | trust | trusted | list}: the plugin author's tools. */
@Component(service = ContribCommands.class, property = {"osgi.command.scope=contrib",
        "osgi.command.function=keygen", "osgi.command.function=sign", "osgi.command.function=trust",
        "osgi.command.function=trusted", "osgi.command.function=list"})
public final class ContribCommands {
    private final KernelService kernel;

    @Activate
    public ContribCommands(@Reference KernelService kernel) {
        this.kernel = kernel;
    }

    @Descriptor("create the key that signs your contrib bundles (keys/contrib.p12, certificate keys/contrib.crt)")
    public String keygen(
            @Descriptor("replace an existing key") @Parameter(names = "--force", presentValue = "true", absentValue = "false") boolean force,
            @Descriptor("a name for the key, e.g. your e-mail") String name) throws Exception {
        Path cert = kernel.keygen(name, force);
        return "created signing key for \"" + name + "\"\ncertificate: " + cert
                + "\nto trust it on this machine: bot-bottle contrib trust " + cert;
    }

    @Descriptor("sign a bundle jar with your key (in place, or to --out)")
    public String sign(
            @Descriptor("write the signed jar here instead of in place") @Parameter(names = "--out", absentValue = "") String out,
            @Descriptor("the jar to sign") String jar) throws Exception {
        Path signed = kernel.sign(Path.of(jar).toAbsolutePath(), out.isEmpty() ? null : Path.of(out).toAbsolutePath());
        return "signed " + signed;
    }

    @Descriptor("trust a signer certificate (PEM or DER) for contrib bundles")
    public String trust(@Descriptor("the certificate file") String certificate) throws Exception {
        Path stored = kernel.trust(Path.of(certificate).toAbsolutePath());
        return "trusted " + stored;
    }

    @Descriptor("list the certificates trusted to sign contrib bundles")
    public String trusted() throws Exception {
        List<String> certs = kernel.trusted();
        return certs.isEmpty() ? "no trusted signers in " + kernel.home().resolve("trust") : String.join("\n", certs);
    }

    @Descriptor("list every jar in contrib/ with its state: active (bundle, version, signer) or refused and why")
    public String list(
            @Descriptor("text or json") @Parameter(names = "--format", absentValue = "text") String format) {
        kernel.rescanContrib();
        List<ContribEntry> entries = kernel.contrib();
        if (Json.format(format).equals("json")) {
            return Json.write(entries);
        }
        if (entries.isEmpty()) {
            return "no jars in " + kernel.home().resolve("contrib");
        }
        StringBuilder sb = new StringBuilder();
        for (ContribEntry e : entries) {
            sb.append(e.file()).append("  ").append(e.state());
            if (e.state().equals("active")) {
                sb.append("  ").append(e.bundle()).append(' ').append(e.version()).append("  signed by ").append(e.signer());
            } else if (!e.reason().isEmpty()) {
                sb.append("  ").append(e.reason());
            }
            sb.append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
