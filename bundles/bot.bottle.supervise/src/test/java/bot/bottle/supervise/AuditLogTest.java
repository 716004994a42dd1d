package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.audit.AuditLog;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.CommandFailure;
import bot.bottle.supervise.core.Shell;

class AuditLogTest {

    @TempDir
    Path tmp;
    AuditKey key;
    AuditLog log;
    BottleState state;

    @BeforeEach
    void setUp() throws Exception {
        key = AuditKey.loadOrCreate(tmp.resolve("keys"));
        state = BottleState.of(tmp.resolve("state/dev"));
        log = state.audit();
        for (int i = 0; i < 5; i++) {
            log.append(Map.of("action", "approved", "notes", "entry " + i), key);
        }
    }

    List<String> lines() throws Exception {
        return new ArrayList<>(Files.readAllLines(log.file()));
    }

    void write(List<String> lines) throws Exception {
        Files.writeString(log.file(), String.join("\n", lines) + "\n");
    }

    String verifyFailure() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> Shell.verify(state, tmp.resolve("keys")));
        assertEquals(1, f.exitStatus());
        return f.getMessage();
    }

    @Test
    void intactLogVerifies() throws Exception {
        assertTrue(log.verify(key).ok());
        assertTrue(Shell.verify(state, tmp.resolve("keys")).contains("5 entries verified"));
    }

    @Test
    void alteredEntryIsNamed() throws Exception {
        List<String> l = lines();
        l.set(2, l.get(2).replace("entry 2", "entry X"));
        write(l);
        assertEquals("audit log of bottle dev FAILED: line 3 (seq 2) was altered: its signature does not match",
                verifyFailure());
    }

    @Test
    void removedEntryIsNamed() throws Exception {
        List<String> l = lines();
        l.remove(1);
        write(l);
        assertTrue(verifyFailure().contains("entry seq 1 was removed"));
    }

    @Test
    void reorderedEntriesAreNamed() throws Exception {
        List<String> l = lines();
        String a = l.get(3);
        l.set(3, l.get(2));
        l.set(2, a);
        write(l);
        assertTrue(verifyFailure().contains("entry seq 2 was reordered"));
    }

    @Test
    void truncatedTailIsDetectedByTheSignedHead() throws Exception {
        List<String> l = lines();
        l.remove(4);
        write(l);
        assertTrue(verifyFailure().contains("entry seq 4 was removed"));
    }

    @Test
    void foreignKeySignatureIsRejected() throws Exception {
        AuditKey other = AuditKey.loadOrCreate(tmp.resolve("other-keys"));
        log.append(Map.of("action", "approved"), other);
        assertTrue(verifyFailure().contains("line 6 (seq 5) was altered"));
    }

    @Test
    void garbageLineIsNamed() throws Exception {
        List<String> l = lines();
        l.set(0, "not json");
        write(l);
        assertTrue(verifyFailure().contains("line 1 was altered"));
    }
}
