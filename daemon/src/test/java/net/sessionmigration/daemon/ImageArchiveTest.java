package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageArchiveTest {

    static byte[] archive(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bo);
        out.write(ImageArchive.MAGIC);
        for (var e : files.entrySet()) {
            byte[] n = e.getKey().getBytes(StandardCharsets.US_ASCII);
            out.writeShort(n.length);
            out.write(n);
            out.writeLong(e.getValue().length);
            out.write(e.getValue());
        }
        out.writeShort(0);
        return bo.toByteArray();
    }

    @Test
    void receivesFiles(@TempDir Path dir) throws IOException {
        byte[] pages = new byte[200_000];
        pages[12345] = 7;
        long n = ImageArchive.receive(new ByteArrayInputStream(archive(Map.of("pages-1.img", pages, "core-7.img", new byte[] {1, 2}))),
                dir.resolve("img"), 1 << 20);
        assertEquals(200_002, n);
        assertArrayEquals(pages, Files.readAllBytes(dir.resolve("img/pages-1.img")));
    }

    @Test
    void refusesNamesThatClimbOut(@TempDir Path dir) {
        assertThrows(RequestNames.BadRequest.class, () -> ImageArchive.receive(
                new ByteArrayInputStream(archive(Map.of("../evil", new byte[1]))), dir.resolve("img"), 1 << 20));
        assertFalse(Files.exists(dir.resolve("evil")));
    }

    @Test
    void refusesImagesOverTheLimit(@TempDir Path dir) {
        assertThrows(RequestNames.BadRequest.class, () -> ImageArchive.receive(
                new ByteArrayInputStream(archive(Map.of("pages-1.img", new byte[2048]))), dir.resolve("img"), 1024));
    }

    @Test
    void refusesOtherBodies(@TempDir Path dir) {
        assertThrows(RequestNames.BadRequest.class, () -> ImageArchive.receive(
                new ByteArrayInputStream("GET / HTTP/1.0\r\n".getBytes(StandardCharsets.US_ASCII)), dir, 1024));
    }

    @Test
    void parsesProcNetTcpAddresses() throws IOException {
        assertEquals("10.20.0.100", ConnectionCloser.hexToIpv4("6400140A").getHostAddress());
    }
}
