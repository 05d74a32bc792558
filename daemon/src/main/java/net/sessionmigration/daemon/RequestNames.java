package net.sessionmigration.daemon;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The one rule for every name that arrives in a request (workloads, migration ids, peers,
 * image files): it can never be read as an option, a shell word, or a path that climbs out.
 */
public final class RequestNames {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern IMAGE_FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private RequestNames() {
    }

    public static boolean isValid(String s) {
        return s != null && NAME.matcher(s).matches() && !s.contains("..");
    }

    public static String require(String field, String s) {
        if (!isValid(s)) {
            throw new BadRequest(field + " is not a valid name (letters, digits, . _ -; 1-64 characters; no '..')");
        }
        return s;
    }

    public static String requireImageFile(String s) {
        if (s == null || !IMAGE_FILE.matcher(s).matches() || s.contains("..")) {
            throw new BadRequest("image file name is not valid");
        }
        return s;
    }

    public static boolean isIpv4(String s) {
        return s != null && IPV4.matcher(s).matches();
    }

    /** An IPv4 literal only: never a host name (no DNS lookup on a request's text). */
    public static Inet4Address requireIpv4(String field, String s) {
        if (s == null || !IPV4.matcher(s).matches()) {
            throw new BadRequest(field + " is not an IPv4 address literal");
        }
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new BadRequest(field + " is not an IPv4 address literal");
        }
    }

    /** A client error: answered with 400 and this text, which never echoes the bad value. */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message);
        }
    }
}
