package net.sessionmigration.traps;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import net.sessionmigration.api.driver.SecretRef;
import net.sessionmigration.api.model.VirtualIp;

/**
 * Reads Config Admin properties leniently (a {@code .cfg} file gives strings, a {@code .config}
 * file or the web console typed values) and collects every error, each naming its field.
 * Error messages quote values, except for secret fields, which are never echoed.
 */
final class ConfigReader {
    static final Pattern OID = Pattern.compile("\\.?([0-2])(\\.(0|[1-9]\\d{0,9}))+");

    private final Map<String, ?> props;
    private final List<String> errors = new ArrayList<>();

    ConfigReader(Map<String, ?> props) {
        this.props = props;
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    void error(String field, String message) {
        errors.add(field + ": " + message);
    }

    Optional<String> optString(String field) {
        Object v = props.get(field);
        if (v == null) {
            return Optional.empty();
        }
        if (v.getClass().isArray() && Array.getLength(v) > 0) {
            v = Array.get(v, 0);
        }
        String s = String.valueOf(v).trim();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    /**
     * A secret setting: from {@code fieldRef} ({@link SecretRef}: {@code file:/path} or
     * {@code env:VARIABLE}) when set, else the field itself; empty when neither. Never echoed.
     */
    String secret(String field) {
        Map<String, Object> flat = new java.util.HashMap<>();
        optString(field).ifPresent(v -> flat.put(field, v));
        optString(field + "Ref").ifPresent(v -> flat.put(field + "Ref", v));
        try {
            return SecretRef.setting(flat, field).orElse("");
        } catch (IllegalArgumentException e) {
            errors.add(e.getMessage());
            return "";
        }
    }

    /** A comma-separated list of secrets: {@code field}, or {@code fieldRef} naming where it is ({@link #secret}). */
    List<String> secretList(String field) {
        if (optString(field + "Ref").isEmpty()) {
            return list(field);
        }
        String all = secret(field);
        return new ConfigReader(Map.of(field, all)).list(field);
    }

    String string(String field) {
        Optional<String> s = optString(field);
        if (s.isEmpty()) {
            error(field, "missing");
            return "";
        }
        return s.get();
    }

    String string(String field, String dflt) {
        return optString(field).orElse(dflt);
    }

    /** A list from String[], a Collection, or one comma-separated string. */
    List<String> list(String field) {
        Object v = props.get(field);
        List<String> out = new ArrayList<>();
        if (v == null) {
            return out;
        }
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                addTrimmed(out, String.valueOf(Array.get(v, i)));
            }
        } else if (v instanceof Collection<?> c) {
            c.forEach(e -> addTrimmed(out, String.valueOf(e)));
        } else {
            for (String part : String.valueOf(v).split(",")) {
                addTrimmed(out, part);
            }
        }
        return out;
    }

    private static void addTrimmed(List<String> out, String s) {
        String t = s.trim();
        if (!t.isEmpty()) {
            out.add(t);
        }
    }

    long integer(String field, long dflt, long min, long max) {
        Optional<String> s = optString(field);
        if (s.isEmpty()) {
            return dflt;
        }
        try {
            long n = Long.parseLong(s.get());
            if (n < min || n > max) {
                error(field, "'" + s.get() + "' is out of range " + min + ".." + max);
                return dflt;
            }
            return n;
        } catch (NumberFormatException e) {
            error(field, "'" + s.get() + "' is not an integer");
            return dflt;
        }
    }

    double number(String field) {
        Optional<String> s = optString(field);
        if (s.isEmpty()) {
            error(field, "missing");
            return Double.NaN;
        }
        try {
            double d = Double.parseDouble(s.get());
            if (!Double.isFinite(d) || d < 0) {
                error(field, "'" + s.get() + "' must be a finite number >= 0");
            }
            return d;
        } catch (NumberFormatException e) {
            error(field, "'" + s.get() + "' is not a number");
            return Double.NaN;
        }
    }

    String oid(String field, boolean required) {
        Optional<String> s = optString(field);
        if (s.isEmpty()) {
            if (required) {
                error(field, "missing");
            }
            return "";
        }
        return checkOid(field, s.get());
    }

    String checkOid(String field, String value) {
        if (!OID.matcher(value).matches()) {
            error(field, "'" + value + "' is not a numeric OID (e.g. 1.3.6.1.2.1.33.2.1)");
            return "";
        }
        return value.startsWith(".") ? value.substring(1) : value;
    }

    /** An IP literal (no DNS: it may not answer during a disaster), or empty. */
    Optional<String> ipLiteral(String field) {
        Optional<String> s = optString(field);
        if (s.isEmpty()) {
            return s;
        }
        try {
            return Optional.of(normaliseIp(s.get()));
        } catch (IllegalArgumentException e) {
            error(field, "'" + s.get() + "' is not an IPv4 or IPv6 address literal");
            return Optional.empty();
        }
    }

    static String normaliseIp(String literal) {
        new VirtualIp(literal); // rejects anything but a literal, so getByName never resolves a name
        try {
            return java.net.InetAddress.getByName(literal).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal);
        }
    }
}
