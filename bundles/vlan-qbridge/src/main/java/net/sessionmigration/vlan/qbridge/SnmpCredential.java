package net.sessionmigration.vlan.qbridge;

import java.util.Locale;
import java.util.Map;

import net.sessionmigration.api.driver.SecretRef;

/**
 * One named set of SNMP secrets: a v2c community, or a v3 user with its auth and privacy
 * protocols and passphrases. Device profiles name it; its {@link #toString()} never shows a
 * secret, so it is safe in logs and results.
 */
public record SnmpCredential(String name, String community, String user, AuthProtocol auth, String authPassphrase,
                             PrivProtocol priv, String privPassphrase) {

    public enum AuthProtocol {
        NONE, MD5, SHA, SHA224, SHA256, SHA384, SHA512;

        static AuthProtocol parse(String text) {
            String t = norm(text);
            return switch (t) {
                case "", "NONE" -> NONE;
                case "MD5" -> MD5;
                case "SHA", "SHA1" -> SHA;
                case "SHA224" -> SHA224;
                case "SHA256" -> SHA256;
                case "SHA384" -> SHA384;
                case "SHA512" -> SHA512;
                default -> throw new IllegalArgumentException("auth.protocol '" + text
                        + "' is not one of none, MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512");
            };
        }
    }

    public enum PrivProtocol {
        NONE, DES, AES128, AES192, AES256;

        static PrivProtocol parse(String text) {
            String t = norm(text);
            return switch (t) {
                case "", "NONE" -> NONE;
                case "DES" -> DES;
                case "AES", "AES128" -> AES128;
                case "AES192" -> AES192;
                case "AES256" -> AES256;
                default -> throw new IllegalArgumentException("priv.protocol '" + text
                        + "' is not one of none, DES, AES (=AES-128), AES-192, AES-256");
            };
        }
    }

    public SnmpCredential {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a credential needs a name");
        }
        auth = auth == null ? AuthProtocol.NONE : auth;
        priv = priv == null ? PrivProtocol.NONE : priv;
        boolean hasUser = user != null && !user.isBlank();
        boolean hasCommunity = community != null && !community.isEmpty();
        if (!hasUser && !hasCommunity) {
            throw new IllegalArgumentException("credential " + name + ": set community (v2c) or user (v3)");
        }
        if (auth != AuthProtocol.NONE && (authPassphrase == null || authPassphrase.length() < 8)) {
            throw new IllegalArgumentException("credential " + name + ": auth.passphrase must have at least 8 characters");
        }
        if (priv != PrivProtocol.NONE && auth == AuthProtocol.NONE) {
            throw new IllegalArgumentException("credential " + name + ": privacy needs authentication (auth.protocol)");
        }
        if (priv != PrivProtocol.NONE && (privPassphrase == null || privPassphrase.length() < 8)) {
            throw new IllegalArgumentException("credential " + name + ": priv.passphrase must have at least 8 characters");
        }
    }

    public static SnmpCredential community(String name, String community) {
        return new SnmpCredential(name, community, null, AuthProtocol.NONE, null, PrivProtocol.NONE, null);
    }

    public static SnmpCredential user(String name, String user, AuthProtocol auth, String authPassphrase,
                                      PrivProtocol priv, String privPassphrase) {
        return new SnmpCredential(name, null, user, auth, authPassphrase, priv, privPassphrase);
    }

    /**
     * From Config Admin properties: name, community | user, auth.protocol, auth.passphrase, priv.protocol,
     * priv.passphrase. A v3 user without protocols is authPriv (SHA-256, AES-256): a lower level must be
     * asked for with "none". Each secret may be given by reference instead ({@code communityRef},
     * {@code auth.passphraseRef}, {@code priv.passphraseRef}: {@link SecretRef}), so that the
     * configuration shows none.
     */
    public static SnmpCredential fromProperties(Map<String, ?> p) {
        boolean v3 = str(p, "user") != null && !str(p, "user").isBlank();
        return new SnmpCredential(str(p, "name"), secret(p, "community"), str(p, "user"),
                AuthProtocol.parse(orDefault(str(p, "auth.protocol"), v3 ? "SHA-256" : "none")), secret(p, "auth.passphrase"),
                PrivProtocol.parse(orDefault(str(p, "priv.protocol"), v3 ? "AES-256" : "none")), secret(p, "priv.passphrase"));
    }

    private static String secret(Map<String, ?> p, String key) {
        try {
            return SecretRef.setting(p, key).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("credential " + str(p, "name") + ": " + e.getMessage(), e);
        }
    }

    private static String orDefault(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    public String securityLevel() {
        if (user == null || user.isBlank()) {
            return "community";
        }
        return auth == AuthProtocol.NONE ? "noAuthNoPriv" : priv == PrivProtocol.NONE ? "authNoPriv" : "authPriv";
    }

    @Override
    public String toString() {
        return user == null || user.isBlank()
                ? "credential " + name + " (v2c community ****)"
                : "credential " + name + " (v3 user " + user + ", " + securityLevel() + ", " + auth + "/" + priv + ")";
    }

    static String str(Map<String, ?> p, String key) {
        Object v = p.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof char[] chars) {
            return new String(chars);
        }
        String s = v.toString().trim();
        return s.isEmpty() ? null : s;
    }

    private static String norm(String text) {
        return text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace("-", "").replace("_", "");
    }
}
