package net.sessionmigration.api.driver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A secret named by reference in a configuration, so that the configuration itself (what
 * {@code config:list} and {@code config:edit} show) holds no secret: {@code file:/path} (the file's
 * text, trimmed; keep it readable by Karaf's user only) or {@code env:VARIABLE}. Drivers read a
 * secret setting {@code X} from {@code XRef} when it is set; the value never goes into a log or an
 * exception text.
 */
public final class SecretRef {
    private SecretRef() {
    }

    /** The secret a reference names; the exception names the reference, never a value. */
    public static String resolve(String ref) throws IOException {
        if (ref != null && ref.startsWith("file:")) {
            return Files.readString(Path.of(ref.substring(5)), StandardCharsets.UTF_8).strip();
        }
        if (ref != null && ref.startsWith("env:")) {
            String v = System.getenv(ref.substring(4));
            if (v == null) {
                throw new IOException("environment variable " + ref.substring(4) + " is not set");
            }
            return v;
        }
        // no part of the text is echoed: a password written where its reference belongs is common
        throw new IllegalArgumentException(ref == null || ref.isBlank() ? "a secret reference is empty: set file:/path or env:VARIABLE"
                : "a secret reference is file:/path or env:VARIABLE; this one is neither (its "
                        + ref.length() + " characters are not shown: it may be the secret itself)");
    }

    /**
     * The secret setting {@code key} of a configuration: from {@code keyRef} when that is set, else
     * the value of {@code key} itself (a secret written into the configuration), else empty.
     *
     * @throws IllegalArgumentException when both are set, or the reference cannot be read (the
     *                                  message names the setting)
     */
    public static Optional<String> setting(Map<String, ?> properties, String key) {
        Object ref = properties.get(key + "Ref");
        Object inline = properties.get(key);
        boolean hasRef = ref != null && !ref.toString().isBlank();
        if (hasRef && inline != null && !inline.toString().isBlank()) {
            throw new IllegalArgumentException(key + " and " + key + "Ref are both set: keep one");
        }
        if (!hasRef) {
            return inline == null || inline.toString().isBlank() ? Optional.empty() : Optional.of(inline.toString());
        }
        try {
            return Optional.of(resolve(ref.toString().strip()));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(key + "Ref: " + e.getMessage(), e);
        }
    }
}
