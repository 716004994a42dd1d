package bot.bottle.contrib.customerid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;

class CustomerIdDetectorTest {
    private final CustomerIdDetector detector = new CustomerIdDetector();

    @Test
    void findsCustomerIdsWithSpans() {
        String body = "{\"customer\":\"CUST-12345678\",\"other\":\"CUST-00000001\"}";
        List<Finding> f = detector.scan(ScanInput.outbound("body", body));
        assertEquals(2, f.size());
        assertEquals("CUST-12345678", body.substring(f.get(0).start(), f.get(0).end()));
        assertEquals("customer_id", f.get(0).detector());
    }

    @Test
    void ignoresLookAlikes() {
        for (String s : List.of("CUST-1234567", "CUST-123456789", "XCUST-12345678", "cust-12345678", "CUST_12345678")) {
            assertTrue(detector.scan(ScanInput.outbound("body", s)).isEmpty(), s);
        }
    }

    @Test
    void outboundOnly() {
        assertTrue(detector.appliesTo(Direction.OUTBOUND));
        assertTrue(!detector.appliesTo(Direction.INBOUND));
    }
}
