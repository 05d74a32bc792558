package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A switch credential whose passphrases are files: the configuration (config:list) shows only where they are. */
class CredentialRefTest {

    @Test
    void passphrasesByReferenceAreReadFromTheirFiles(@TempDir Path dir) throws Exception {
        Path auth = Files.writeString(dir.resolve("sw1.auth"), "auth-from-a-file-1\n");
        Path priv = Files.writeString(dir.resolve("sw1.priv"), "priv-from-a-file-2");
        SnmpCredential c = SnmpCredential.fromProperties(Map.of("name", "ops", "user", "ops-user",
                "auth.passphraseRef", "file:" + auth, "priv.passphraseRef", "file:" + priv));
        assertEquals("auth-from-a-file-1", c.authPassphrase());
        assertEquals("priv-from-a-file-2", c.privPassphrase());
        assertEquals("authPriv", c.securityLevel());
        assertFalse(c.toString().contains("from-a-file"), c::toString);
    }

    @Test
    void aSecretSetTwiceOrUnreadableIsNamedNeverShown(@TempDir Path dir) {
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> SnmpCredential.fromProperties(
                Map.of("name", "ops", "user", "u", "auth.passphrase", "inline-secret-1", "auth.passphraseRef", "env:X",
                        "priv.passphrase", "inline-secret-2")));
        assertEquals("credential ops: auth.passphrase and auth.passphraseRef are both set: keep one", both.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> SnmpCredential.fromProperties(
                Map.of("name", "ops", "user", "u", "auth.passphraseRef", "file:" + dir.resolve("absent"),
                        "priv.passphrase", "inline-secret-2")));
        assertTrue(missing.getMessage().startsWith("credential ops: auth.passphraseRef: "), missing.getMessage());
        assertFalse(missing.getMessage().contains("inline-secret"), missing.getMessage());
    }
}
