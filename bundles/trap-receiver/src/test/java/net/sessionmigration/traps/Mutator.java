package net.sessionmigration.traps;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Makes bad SNMP datagrams from valid ones: random bytes, and mutations that know BER (the tag and
 * length of every element, nested ones included, also inside v3's security-parameters OCTET STRING).
 * At most four bytes of a base packet change per mutation (plus inserted random bytes), so a text
 * of eight bytes in the base can never turn into another one.
 */
final class Mutator {
    /** One BER element: where its tag, length and content start in the packet. */
    record Element(int tag, int lengthAt, int lengthBytes, int contentAt, int length) {
        int end() {
            return contentAt + length;
        }
    }

    private final Random random;
    private final List<byte[]> bases;
    private final List<List<Element>> elements = new ArrayList<>();
    final Map<String, Integer> used = new TreeMap<>();

    Mutator(Random random, List<byte[]> bases) {
        this.random = random;
        this.bases = bases;
        for (byte[] b : bases) {
            List<Element> found = new ArrayList<>();
            walk(b, 0, b.length, found);
            if (found.isEmpty()) {
                throw new IllegalArgumentException("a base packet is not BER");
            }
            elements.add(found);
        }
    }

    /** Every element in {@code b[from, to)}; constructed ones and OCTET STRINGs that hold BER are entered. */
    static void walk(byte[] b, int from, int to, List<Element> out) {
        int i = from;
        while (i < to) {
            if (i + 2 > to) {
                return;
            }
            int tag = b[i] & 0xff;
            int first = b[i + 1] & 0xff;
            int lengthBytes = 1;
            int length = first;
            if (first > 0x80) {
                int n = first & 0x7f;
                if (n > 3 || i + 2 + n > to) {
                    return;
                }
                length = 0;
                for (int k = 0; k < n; k++) {
                    length = (length << 8) | (b[i + 2 + k] & 0xff);
                }
                lengthBytes = 1 + n;
            } else if (first == 0x80) {
                return;
            }
            int contentAt = i + 1 + lengthBytes;
            if (contentAt + length > to) {
                return;
            }
            out.add(new Element(tag, i + 1, lengthBytes, contentAt, length));
            if ((tag & 0x20) != 0 || (tag == 0x04 && length > 2 && (b[contentAt] & 0xff) == 0x30)) {
                walk(b, contentAt, contentAt + length, out);
            }
            i = contentAt + length;
        }
    }

    byte[] next() {
        int pick = random.nextInt(bases.size());
        byte[] base = bases.get(pick);
        List<Element> els = elements.get(pick);
        int kind = random.nextInt(14);
        String name;
        byte[] out;
        switch (kind) {
            case 0, 1 -> {
                name = "random-bytes";
                out = new byte[random.nextInt(600)];
                random.nextBytes(out);
                if (out.length > 0 && random.nextBoolean()) {
                    out[0] = 0x30; // looks like a SEQUENCE
                }
            }
            case 2 -> {
                name = "bit-flips";
                out = base.clone();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int at = random.nextInt(out.length);
                    out[at] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 3 -> {
                name = "byte-replace";
                out = base.clone();
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int at = random.nextInt(out.length);
                    out[at] = (byte) (out[at] + 1 + random.nextInt(255));
                }
            }
            case 4 -> {
                name = "insert";
                int at = random.nextInt(base.length + 1);
                byte[] extra = new byte[1 + random.nextInt(32)];
                random.nextBytes(extra);
                out = splice(base, at, at, extra);
            }
            case 5 -> {
                name = "delete";
                int at = random.nextInt(base.length);
                int n = 1 + random.nextInt(Math.min(4, base.length - at));
                out = splice(base, at, at + n, new byte[0]);
            }
            case 6 -> {
                name = "truncate";
                out = Arrays.copyOf(base, random.nextInt(base.length));
            }
            case 7 -> {
                name = "ber-length";
                Element e = els.get(random.nextInt(els.size()));
                int[] choices = {0, e.length() + 1, e.length() - 1, 0x7f, 0xff, random.nextInt(256)};
                out = withLength(base, e, shortOrLong(choices[random.nextInt(choices.length)] & 0xffff));
            }
            case 8 -> {
                name = "huge-length";
                Element e = els.get(random.nextInt(els.size()));
                byte[][] huge = {{(byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                        {(byte) 0x84, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff},
                        {(byte) 0x88, 1, 2, 3, 4, 5, 6, 7, 8}, {(byte) 0x80}, {(byte) 0xff}, {(byte) 0x82, 0x10, 0x00}};
                out = withLength(base, e, huge[random.nextInt(huge.length)]);
            }
            case 9 -> {
                name = "ber-tag";
                Element e = els.get(random.nextInt(els.size()));
                out = base.clone();
                int[] tags = {0x02, 0x04, 0x05, 0x06, 0x30, 0x40, 0x41, 0x43, 0x44, 0x80, 0xa0, 0xa4, 0xa6, 0xa7, 0xa8,
                        0x1f, 0xff, random.nextInt(256)};
                out[e.lengthAt() - 1] = (byte) tags[random.nextInt(tags.length)];
            }
            case 10 -> {
                name = "wrong-version";
                out = base.clone();
                Element version = els.size() > 1 ? els.get(1) : els.get(0);
                int[] versions = {0, 1, 2, 3, 4, 7, 0x7f, 0xff, random.nextInt(256)};
                if (version.length() == 1) {
                    out[version.contentAt()] = (byte) versions[random.nextInt(versions.length)];
                } else {
                    out[random.nextInt(out.length)] ^= 0x01;
                }
            }
            case 11 -> {
                name = "splice";
                byte[] other = bases.get(random.nextInt(bases.size()));
                int cut = random.nextInt(base.length);
                int from = random.nextInt(other.length);
                out = splice(Arrays.copyOf(base, cut), cut, cut, Arrays.copyOfRange(other, from, other.length));
            }
            case 12 -> {
                name = "duplicate-element";
                Element e = els.get(random.nextInt(els.size()));
                int start = e.lengthAt() - 1;
                out = splice(base, e.end(), e.end(), Arrays.copyOfRange(base, start, e.end()));
            }
            default -> {
                name = "drop-element";
                Element e = els.get(1 + random.nextInt(els.size() - 1));
                out = splice(base, e.lengthAt() - 1, e.end(), new byte[0]);
            }
        }
        used.merge(name, 1, Integer::sum);
        return out;
    }

    private static byte[] shortOrLong(int length) {
        if (length < 0x80) {
            return new byte[]{(byte) length};
        }
        if (length < 0x100) {
            return new byte[]{(byte) 0x81, (byte) length};
        }
        return new byte[]{(byte) 0x82, (byte) (length >> 8), (byte) length};
    }

    private static byte[] withLength(byte[] base, Element e, byte[] length) {
        return splice(base, e.lengthAt(), e.lengthAt() + e.lengthBytes(), length);
    }

    /** {@code b} with {@code [from, to)} replaced by {@code with}. */
    static byte[] splice(byte[] b, int from, int to, byte[] with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + with.length);
        out.write(b, 0, from);
        out.write(with, 0, with.length);
        out.write(b, to, b.length - to);
        return out.toByteArray();
    }
}
