package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A trap user's passphrases by reference: the configuration holds the files' names, not the secrets. */
class TrapUserRefTest {

    @Test
    void passphrasesFromFiles(@TempDir Path dir) throws Exception {
        Path auth = Files.writeString(dir.resolve("ups.auth"), "ups-auth-from-file\n");
        Path priv = Files.writeString(dir.resolve("ups.priv"), "ups-priv-from-file");
        ConfigReader r = new ConfigReader(Map.of("user", "ups-main", "auth.protocol", "SHA-256",
                "auth.passphraseRef", "file:" + auth, "priv.protocol", "AES-256", "priv.passphraseRef", "file:" + priv));
        UsmUserSpec u = UsmUserSpec.read(r, "");
        assertEquals(List.of(), r.errors());
        assertEquals("authPriv", u.securityLevelName());
        assertFalse(u.toString().contains("from-file"), u::toString);
    }

    @Test
    void communitiesFromAFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("communities"), "nms-one, nms-two\n");
        ConfigReader r = new ConfigReader(Map.of("communitiesRef", "file:" + file));
        assertEquals(List.of("nms-one", "nms-two"), r.secretList("communities"));
        assertEquals(List.of(), r.errors());
        assertEquals(List.of("a", "b"), new ConfigReader(Map.of("communities", "a,b")).secretList("communities"));
    }

    @Test
    void anUnreadableReferenceIsAnErrorNamingTheField() {
        ConfigReader r = new ConfigReader(Map.of("user", "ups-main", "auth.protocol", "SHA-256",
                "auth.passphraseRef", "env:SM_NO_SUCH_VARIABLE_FOR_TEST", "priv.protocol", "AES-256",
                "priv.passphrase", "inline-priv-secret"));
        UsmUserSpec.read(r, "");
        assertEquals(List.of("auth.passphraseRef: environment variable SM_NO_SUCH_VARIABLE_FOR_TEST is not set",
                "auth.passphrase: missing"), r.errors());
        assertFalse(r.errors().toString().contains("inline-priv-secret"));
    }
}
