package bot.bottle.egress.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import org.osgi.service.component.annotations.Component;

import bot.bottle.api.egress.EgressCa;

/** The {@link EgressCa} service: {@link BottleCa#loadOrCreate} without loading an existing CA. */
@Component(service = EgressCa.class)
public final class EgressCaService implements EgressCa {

    @Override
    public Path ensure(Path dir) throws IOException, GeneralSecurityException {
        Path crt = dir.resolve(BottleCa.CERT_FILE);
        if (Files.exists(crt) && Files.exists(dir.resolve(BottleCa.KEY_FILE))) {
            return crt;
        }
        return BottleCa.loadOrCreate(dir, BottleCa.commonNameFor(dir)).certificatePath();
    }
}
