package bot.bottle.contrib.customerid;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import org.osgi.service.component.annotations.Component;

/**
 * Finds internal customer IDs ({@code CUST-} and eight digits) in outbound content. The engine hands
 * this detector normalised views (decoded base64, percent-encoding, zero-width characters removed), so
 * the detector itself only matches the plain form.
 */
@Component(service = DlpDetector.class,
        property = {DlpDetector.ID_PROPERTY + "=" + CustomerIdDetector.ID, "bottle.detector.rules:Integer=1"})
public final class CustomerIdDetector implements DlpDetector {
    public static final String ID = "customer_id";
    /** Not preceded or followed by a digit or letter: CUST-123456789 (nine digits) is something else. */
    private static final Pattern ID_PATTERN = Pattern.compile("(?<![A-Za-z0-9])CUST-[0-9]{8}(?![0-9])");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean appliesTo(Direction direction) {
        return direction == Direction.OUTBOUND;
    }

    @Override
    public List<Finding> scan(ScanInput input) {
        CharSequence text = input.text();
        // cheap prefilter: most inputs never contain the prefix
        if (text.toString().indexOf("CUST-") < 0) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        Matcher m = ID_PATTERN.matcher(text);
        while (m.find()) {
            out.add(new Finding(ID, "customer-id", input.surface(), m.start(), m.end(), Severity.HIGH));
        }
        return out;
    }
}
