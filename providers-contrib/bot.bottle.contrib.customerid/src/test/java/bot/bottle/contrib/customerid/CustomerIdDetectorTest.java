package bot.bottle.contrib.customerid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import org.junit.jupiter.api.Test;

class CustomerIdDetectorTest {
    private final CustomerIdDetector d = new CustomerIdDetector();

    @Test
    void findsCustomerIdsWithTheirSpans() {
        String text = "{\"customer\":\"CUST-00421337\",\"note\":\"see CUST-99999999.\"}";
        List<Finding> f = d.scan(ScanInput.outbound("body", text));
        assertEquals(2, f.size());
        assertEquals("CUST-00421337", text.substring(f.get(0).start(), f.get(0).end()));
        assertEquals("customer_id", f.get(0).detector());
        assertEquals("customer-id", f.get(0).rule());
        assertEquals(Severity.HIGH, f.get(0).severity());
        assertEquals("body", f.get(0).surface());
    }

    @Test
    void ignoresLookAlikes() {
        for (String s : List.of("CUST-1234567", "CUST-123456789", "XCUST-12345678", "cust-12345678", "CUST 12345678", "")) {
            assertTrue(d.scan(ScanInput.outbound("body", s)).isEmpty(), s);
        }
    }

    @Test
    void outboundOnlyAndIdMatchesTheServiceProperty() {
        assertTrue(d.appliesTo(Direction.OUTBOUND));
        assertFalse(d.appliesTo(Direction.INBOUND));
        assertEquals(CustomerIdDetector.ID, d.id());
    }
}
