package net.sessionmigration.traps;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.AuthenticationProtocol;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.PrivacyProtocol;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.UsmUser;
import org.snmp4j.security.nonstandard.PrivAES192With3DESKeyExtension;
import org.snmp4j.security.nonstandard.PrivAES256With3DESKeyExtension;
import org.snmp4j.smi.OctetString;

/**
 * One SNMPv3 USM user from config (PID {@code net.sessionmigration.traps.user}, or a load rule's
 * poll credentials), at any security level. Protocol names are Net-SNMP's ({@code SHA},
 * {@code SHA-256}, {@code AES}, {@code AES-256}…). {@link #toString()} never shows a passphrase.
 */
public final class UsmUserSpec {
    /** SNMP4J's own default set leaves out SHA-1, which most switches and UPSes still use: we name ours. */
    static final List<String> AUTH_NAMES = List.of("SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512", "MD5");
    static final List<String> PRIV_NAMES = List.of("AES", "AES-192", "AES-256", "AES-192-C", "AES-256-C", "DES");

    private final String user;
    private final Optional<String> authProtocol;
    private final String authPassphrase;
    private final Optional<String> privProtocol;
    private final String privPassphrase;

    private UsmUserSpec(String user, Optional<String> authProtocol, String authPassphrase,
                        Optional<String> privProtocol, String privPassphrase) {
        this.user = user;
        this.authProtocol = authProtocol;
        this.authPassphrase = authPassphrase;
        this.privProtocol = privProtocol;
        this.privPassphrase = privPassphrase;
    }

    public static UsmUserSpec of(String user, String authProtocol, String authPassphrase, String privProtocol,
                                 String privPassphrase) {
        Map<String, Object> m = new java.util.HashMap<>();
        m.put("user", user);
        if (authProtocol != null) {
            m.put("auth.protocol", authProtocol);
            m.put("auth.passphrase", authPassphrase);
        }
        if (privProtocol != null) {
            m.put("priv.protocol", privProtocol);
            m.put("priv.passphrase", privPassphrase);
        }
        ConfigReader r = new ConfigReader(m);
        UsmUserSpec spec = read(r, "");
        if (!r.errors().isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", r.errors()));
        }
        return spec;
    }

    /** Reads {@code prefix + user}, {@code prefix + auth.protocol}… and records errors in the reader. */
    static UsmUserSpec read(ConfigReader r, String prefix) {
        String user = r.string(prefix + "user");
        if (user.length() > 32) {
            r.error(prefix + "user", "longer than 32 characters");
        }
        Optional<String> auth = r.optString(prefix + "auth.protocol").map(s -> s.toUpperCase(Locale.ROOT))
                .filter(s -> !s.equals("NONE"));
        Optional<String> priv = r.optString(prefix + "priv.protocol").map(s -> s.toUpperCase(Locale.ROOT))
                .filter(s -> !s.equals("NONE"));
        String authPass = r.secret(prefix + "auth.passphrase");
        String privPass = r.secret(prefix + "priv.passphrase");
        if (auth.isPresent()) {
            if (authProtocolId(auth.get()) == null) {
                r.error(prefix + "auth.protocol", "'" + auth.get() + "' is not one of " + AUTH_NAMES);
            }
            if (authPass.length() < 8) {
                r.error(prefix + "auth.passphrase", authPass.isEmpty() ? "missing" : "shorter than 8 characters (RFC 3414)");
            }
        }
        if (priv.isPresent()) {
            if (auth.isEmpty()) {
                r.error(prefix + "priv.protocol", "privacy needs an auth.protocol too (authPriv)");
            }
            if (privProtocolId(priv.get()) == null) {
                r.error(prefix + "priv.protocol", "'" + priv.get() + "' is not one of " + PRIV_NAMES);
            }
            if (privPass.length() < 8) {
                r.error(prefix + "priv.passphrase", privPass.isEmpty() ? "missing" : "shorter than 8 characters (RFC 3414)");
            }
        }
        return new UsmUserSpec(user, auth, authPass, priv, privPass);
    }

    public String user() {
        return user;
    }

    public Optional<String> authProtocol() {
        return authProtocol;
    }

    public Optional<String> privProtocol() {
        return privProtocol;
    }

    public int securityLevel() {
        return privProtocol.isPresent() ? SecurityLevel.AUTH_PRIV
                : authProtocol.isPresent() ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.NOAUTH_NOPRIV;
    }

    public String securityLevelName() {
        return privProtocol.isPresent() ? "authPriv" : authProtocol.isPresent() ? "authNoPriv" : "noAuthNoPriv";
    }

    /**
     * A non-localised SNMP4J user that the USM may localise for any engine ID it meets on an
     * incoming message (traps are sent with the sender's own engine ID) or an outgoing request.
     */
    UsmUser toUsmUser(UsmUser.LocalizationGrant grant) {
        return new UsmUser(new OctetString(user),
                authProtocol.map(UsmUserSpec::authProtocolId).map(AuthenticationProtocol::getID).orElse(null),
                authProtocol.isPresent() ? new OctetString(authPassphrase) : null,
                privProtocol.map(UsmUserSpec::privProtocolId).map(PrivacyProtocol::getID).orElse(null),
                privProtocol.isPresent() ? new OctetString(privPassphrase) : null,
                grant);
    }

    /** Adds the protocols this user needs (MD5 and DES only ever get in this way) to the receiver's own set. */
    void registerProtocols(SecurityProtocols protocols) {
        authProtocol.map(UsmUserSpec::authProtocolId).ifPresent(protocols::addAuthenticationProtocol);
        privProtocol.map(UsmUserSpec::privProtocolId).ifPresent(protocols::addPrivacyProtocol);
    }

    /** The strong protocols every receiver and poller knows; MD5 and DES are added per user when asked for. */
    static SecurityProtocols baseProtocols() {
        SecurityProtocols p = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.none);
        for (String a : List.of("SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512")) {
            p.addAuthenticationProtocol(authProtocolId(a));
        }
        for (String x : List.of("AES", "AES-192", "AES-256")) {
            p.addPrivacyProtocol(privProtocolId(x));
        }
        return p;
    }

    static AuthenticationProtocol authProtocolId(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "SHA", "SHA1", "SHA-1" -> new AuthSHA();
            case "SHA-224", "SHA224" -> new AuthHMAC128SHA224();
            case "SHA-256", "SHA256" -> new AuthHMAC192SHA256();
            case "SHA-384", "SHA384" -> new AuthHMAC256SHA384();
            case "SHA-512", "SHA512" -> new AuthHMAC384SHA512();
            case "MD5" -> new AuthMD5();
            default -> null;
        };
    }

    static PrivacyProtocol privProtocolId(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "AES", "AES128", "AES-128" -> new PrivAES128();
            case "AES192", "AES-192" -> new PrivAES192();
            case "AES256", "AES-256" -> new PrivAES256();
            // Cisco-style key extension (Net-SNMP's AES-192-C/AES-256-C)
            case "AES-192-C" -> new PrivAES192With3DESKeyExtension();
            case "AES-256-C" -> new PrivAES256With3DESKeyExtension();
            case "DES" -> new PrivDES();
            default -> null;
        };
    }

    @Override
    public String toString() {
        return "UsmUser[" + user + ", " + securityLevelName() + authProtocol.map(a -> ", auth " + a).orElse("")
                + privProtocol.map(x -> ", priv " + x).orElse("") + "]";
    }
}
