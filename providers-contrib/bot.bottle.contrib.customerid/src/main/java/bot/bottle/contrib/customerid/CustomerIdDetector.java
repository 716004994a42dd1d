package bot.bottle.contrib.customerid;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.service.component.annotations.Component;

import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;

/** Finds customer IDs ({@code CUST-} and eight digits) in outbound content. */
@Component(property = DlpDetector.ID_PROPERTY + "=" + CustomerIdDetector.ID)
public final class CustomerIdDetector implements DlpDetector {
    static final String ID = "customer_id";
    // Fixed-length, no nested quantifiers: linear time on any input.
    private static final Pattern CUSTOMER_ID = Pattern.compile("(?<![A-Za-z0-9])CUST-[0-9]{8}(?![0-9])");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean appliesTo(bot.bottle.api.dlp.Direction direction) {
        return direction == bot.bottle.api.dlp.Direction.OUTBOUND;
    }

    @Override
    public List<Finding> scan(ScanInput input) {
        List<Finding> out = new ArrayList<>();
        Matcher m = CUSTOMER_ID.matcher(input.text());
        while (m.find()) {
            out.add(new Finding(ID, "customer-id", input.surface(), m.start(), m.end(), Finding.Severity.HIGH));
        }
        return out;
    }
}
