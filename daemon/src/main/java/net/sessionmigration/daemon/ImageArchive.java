package net.sessionmigration.daemon;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The image directory on the wire: "SMIMG1", then per regular file a u16 name length, the
 * name, a u64 size and the bytes, ended by a zero name length. Flat: CRIU writes no
 * subdirectories for a process tree. Names are checked; sizes are capped.
 */
public final class ImageArchive {
    static final byte[] MAGIC = "SMIMG1".getBytes(StandardCharsets.US_ASCII);

    private ImageArchive() {
    }

    /** Files up to this size travel inside a batch, with the headers around them. */
    static final int SMALL_FILE = 64 * 1024;
    /** A batch is sent once it holds this much. */
    static final int BATCH = 1 << 20;

    /**
     * A body publisher of the directory. The headers and the small files (CRIU's dozens of image
     * files of a few hundred bytes) go in batches of up to {@link #BATCH} bytes, so they leave in a
     * few TLS records rather than two per file (a capture on the lab: some forty records, ~10 ms,
     * for a 6 KB image); a larger file (the pages, without a page server) streams from its file
     * without being copied into memory.
     */
    public static HttpRequest.BodyPublisher publisher(Path dir) throws IOException {
        List<HttpRequest.BodyPublisher> parts = new ArrayList<>();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        batch.write(MAGIC);
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || name.endsWith(".log")) {
                    continue;
                }
                byte[] nb = RequestNames.requireImageFile(name).getBytes(StandardCharsets.US_ASCII);
                long size = Files.size(f);
                batch.write(ByteBuffer.allocate(2 + nb.length + 8).putShort((short) nb.length).put(nb).putLong(size).array());
                if (size <= SMALL_FILE) {
                    byte[] content = Files.readAllBytes(f);
                    if (content.length != size) {
                        throw new IOException(f + " changed while it was read");
                    }
                    batch.write(content);
                }
                if (size > SMALL_FILE || batch.size() >= BATCH) {
                    parts.add(HttpRequest.BodyPublishers.ofByteArray(batch.toByteArray()));
                    batch.reset();
                }
                if (size > SMALL_FILE) {
                    parts.add(HttpRequest.BodyPublishers.ofFile(f));
                }
            }
        }
        batch.write(new byte[2]);
        parts.add(HttpRequest.BodyPublishers.ofByteArray(batch.toByteArray()));
        return HttpRequest.BodyPublishers.concat(parts.toArray(HttpRequest.BodyPublisher[]::new));
    }

    /** Writes the archive into {@code dir}; returns the bytes of file content received. */
    public static long receive(InputStream body, Path dir, long maxBytes) throws IOException {
        DataInputStream in = new DataInputStream(body);
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new RequestNames.BadRequest("not an image archive");
        }
        Files.createDirectories(dir);
        long total = 0;
        byte[] buf = new byte[1 << 16];
        while (true) {
            int nameLen = in.readUnsignedShort();
            if (nameLen == 0) {
                return total;
            }
            if (nameLen > 128) {
                throw new RequestNames.BadRequest("image file name too long");
            }
            byte[] nb = new byte[nameLen];
            in.readFully(nb);
            String name = RequestNames.requireImageFile(new String(nb, StandardCharsets.US_ASCII));
            long size = in.readLong();
            if (size < 0 || total + size > maxBytes) {
                throw new RequestNames.BadRequest("image larger than the limit");
            }
            try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                long left = size;
                while (left > 0) {
                    int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (r < 0) {
                        throw new EOFException("image archive truncated");
                    }
                    out.write(buf, 0, r);
                    left -= r;
                }
            }
            total += size;
        }
    }
}
