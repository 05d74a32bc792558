package net.sessionmigration.api.model;

import java.util.regex.Pattern;

/**
 * The one rule for names that travel to drivers and daemons (plans, workloads, servers,
 * devices, users, ports): letters, digits, '.', '_', '-', ':' and '/', at most 64 characters,
 * not starting with '-' or '.', never "..". Such a name can never be read as a shell word
 * or option, nor climb out of a directory.
 */
public final class Names {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._:/-]{0,63}");

    private Names() {
    }

    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches() && !name.contains("..");
    }

    /** Returns the name, or throws naming the field and the bad value. */
    public static String require(String field, String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException(field + " '" + name + "' is not a valid name"
                    + " (letters, digits, . _ - : /; 1-64 characters; no '..')");
        }
        return name;
    }
}
