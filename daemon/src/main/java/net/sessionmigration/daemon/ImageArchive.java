package net.sessionmigration.daemon;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import net.sessionmigration.daemon.protocol.DaemonClient;

/**
 * The restore call's body: "SMIMG1", then per entry a u16 name length, the name, a u64 size and
 * the bytes, ended by a zero name length. The first entry is the restore's request (JSON, named
 * {@value #REQUEST}: no image file can have that name), the others the image directory's regular
 * files. Flat: CRIU writes no subdirectories for a process tree. Names are checked; sizes are
 * capped. One body, so that no round trip separates the image and its restore inside the freeze.
 */
public final class ImageArchive {
    static final byte[] MAGIC = "SMIMG1".getBytes(StandardCharsets.US_ASCII);
    /** The request's entry: a leading dot, which {@link RequestNames#requireImageFile} refuses. */
    static final String REQUEST = ".request";
    static final int MAX_REQUEST_BYTES = ControlServer.MAX_JSON_BODY;

    private ImageArchive() {
    }

    /** What a body carried: the request's JSON and the bytes of the image files. */
    public record Received(byte[] request, long bytes) {
    }

    /**
     * The request and the directory as a request body, written as it is sent: the headers and
     * each file's bytes go to the connection, whose buffer gathers CRIU's dozens of small image
     * files into a few writes; a large file (the pages, without a page server) streams from its
     * file without being held in memory. A file whose size changes while it is sent fails the send.
     */
    public static DaemonClient.Body body(byte[] request, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !name.endsWith(".log")) {
                    RequestNames.requireImageFile(name);
                    files.add(f);
                }
            }
        }
        return out -> {
            DataOutputStream d = new DataOutputStream(out);
            d.write(MAGIC);
            header(d, REQUEST, request.length);
            d.write(request);
            for (Path f : files) {
                long size = Files.size(f);
                header(d, f.getFileName().toString(), size);
                try (InputStream in = Files.newInputStream(f)) {
                    if (in.transferTo(new Limited(d, size)) != size) {
                        throw new IOException(f + " changed while it was sent");
                    }
                }
            }
            d.writeShort(0);
            d.flush();
        };
    }

    private static void header(DataOutputStream d, String name, long size) throws IOException {
        byte[] nb = name.getBytes(StandardCharsets.US_ASCII);
        d.writeShort(nb.length);
        d.write(nb);
        d.writeLong(size);
    }

    /** Passes on at most {@code left} bytes; one more fails the send (the file grew). */
    private static final class Limited extends FilterOutputStream {
        private long left;

        Limited(OutputStream out, long left) {
            super(out);
            this.left = left;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len > left) {
                throw new IOException("an image file grew while it was sent");
            }
            out.write(b, off, len);
            left -= len;
        }
    }

    /**
     * Reads a body: the request first, then the image files into {@code dir} (null: read and
     * dropped, for a repeated call whose image is no longer needed).
     */
    public static Received receive(InputStream body, Path dir, long maxBytes) throws IOException {
        DataInputStream in = new DataInputStream(body);
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new RequestNames.BadRequest("not an image archive");
        }
        if (!REQUEST.equals(name(in))) {
            throw new RequestNames.BadRequest("the image archive does not begin with the restore's request");
        }
        long requestSize = in.readLong();
        if (requestSize < 0 || requestSize > MAX_REQUEST_BYTES) {
            throw new RequestNames.BadRequest("the restore's request is larger than " + MAX_REQUEST_BYTES + " bytes");
        }
        byte[] request = new byte[(int) requestSize];
        in.readFully(request);
        if (dir != null) {
            Files.createDirectories(dir);
        }
        long total = 0;
        byte[] buf = new byte[1 << 16];
        while (true) {
            String name = name(in);
            if (name == null) {
                return new Received(request, total);
            }
            RequestNames.requireImageFile(name);
            long size = in.readLong();
            if (size < 0 || total + size > maxBytes) {
                throw new RequestNames.BadRequest("image larger than the limit");
            }
            try (OutputStream out = dir == null ? OutputStream.nullOutputStream()
                    : Files.newOutputStream(dir.resolve(name))) {
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

    /** The next entry's name; null at the end. */
    private static String name(DataInputStream in) throws IOException {
        int nameLen = in.readUnsignedShort();
        if (nameLen == 0) {
            return null;
        }
        if (nameLen > 128) {
            throw new RequestNames.BadRequest("image file name too long");
        }
        byte[] nb = new byte[nameLen];
        in.readFully(nb);
        return new String(nb, StandardCharsets.US_ASCII);
    }
}
