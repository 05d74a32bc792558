package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.daemon.protocol.DaemonClient;

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

    /** What the body writes, in full. */
    static byte[] written(Path dir) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ImageArchive.body(dir).writeTo(all);
        return all.toByteArray();
    }

    @Test
    void aDirectoryGoesAcrossWhole(@TempDir Path dir) throws Exception {
        Path from = Files.createDirectories(dir.resolve("from"));
        byte[] pages = new byte[3 * 64 * 1024 + 17];
        new Random(7).nextBytes(pages);
        Files.write(from.resolve("pages-1.img"), pages);
        for (int i = 0; i < 40; i++) {
            Files.write(from.resolve("core-" + i + ".img"), ("task " + i).getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(from.resolve("dump.log"), new byte[] {1}); // logs stay behind

        long n = ImageArchive.receive(new ByteArrayInputStream(written(from)), dir.resolve("to"), 1 << 24);
        assertEquals(pages.length + 40 * "task 0".length() + 30 * 1 /* "task 10".."task 39" */, n);
        assertArrayEquals(pages, Files.readAllBytes(dir.resolve("to/pages-1.img")));
        assertArrayEquals("task 39".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(dir.resolve("to/core-39.img")));
        assertFalse(Files.exists(dir.resolve("to/dump.log")));
    }

    @Test
    void aFileThatGrowsWhileItIsSentFailsTheSend(@TempDir Path dir) throws Exception {
        Path from = Files.createDirectories(dir.resolve("from"));
        Path pages = Files.write(from.resolve("pages-1.img"), new byte[100]);
        OutputStream growsAfterItsFirstBytes = new OutputStream() {
            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len == 100) { // the file's bytes: its header said 100, now it has more
                    Files.write(pages, new byte[200]);
                }
            }
        };
        IOException e = assertThrows(IOException.class, () -> ImageArchive.body(from).writeTo(growsAfterItsFirstBytes));
        assertTrue(e.getMessage().contains("grew"), e.getMessage());
    }

    @Test
    void parsesProcNetTcpAddresses() throws IOException {
        assertEquals("10.20.0.100", ConnectionCloser.hexToIpv4("6400140A").getHostAddress());
    }
}
