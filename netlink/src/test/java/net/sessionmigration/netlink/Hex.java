package net.sessionmigration.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Hex fixtures: whitespace, '|' separators and '#' comments (to the end of a line) are ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] parse(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String data = hash >= 0 ? line.substring(0, hash) : line;
            sb.append(data.replaceAll("[\\s|]", ""));
        }
        return HexFormat.of().parseHex(sb.toString());
    }

    static byte[] resource(String name) {
        try (InputStream in = Hex.class.getResourceAsStream("/captures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource captures/" + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
