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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.sessionmigration.daemon.protocol.DaemonClient;

class ImageArchiveTest {
    static final byte[] REQUEST = "{\"workload\":\"stream\"}".getBytes(StandardCharsets.US_ASCII);

    /** An archive as the daemons write it: the request first, then {@code files}. */
    static byte[] archive(Map<String, byte[]> files) throws IOException {
        List<Map.Entry<String, byte[]>> all = new ArrayList<>();
        all.add(Map.entry(ImageArchive.REQUEST, REQUEST));
        all.addAll(files.entrySet());
        return entries(all);
    }

    /** Any entries, in order, none added. */
    static byte[] entries(List<Map.Entry<String, byte[]>> files) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bo);
        out.write(ImageArchive.MAGIC);
        for (var e : files) {
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
        ImageArchive.Received in = ImageArchive.receive(new ByteArrayInputStream(
                archive(Map.of("pages-1.img", pages, "core-7.img", new byte[] {1, 2}))), dir.resolve("img"), 1 << 20);
        assertEquals(200_002, in.bytes());
        assertArrayEquals(REQUEST, in.request());
        assertArrayEquals(pages, Files.readAllBytes(dir.resolve("img/pages-1.img")));
        assertFalse(Files.exists(dir.resolve("img/" + ImageArchive.REQUEST)), "the request is not a file of the image");
    }

    @Test
    void refusesAnArchiveThatDoesNotBeginWithItsRequest(@TempDir Path dir) {
        RequestNames.BadRequest e = assertThrows(RequestNames.BadRequest.class, () -> ImageArchive.receive(
                new ByteArrayInputStream(entries(List.of(Map.entry("core-1.img", new byte[1])))), dir.resolve("img"), 1 << 20));
        assertTrue(e.getMessage().contains("request"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("img/core-1.img")));
    }

    @Test
    void refusesARequestEntryAfterTheFirst(@TempDir Path dir) {
        List<Map.Entry<String, byte[]>> twice = List.of(Map.entry(ImageArchive.REQUEST, REQUEST),
                Map.entry("core-1.img", new byte[1]), Map.entry(ImageArchive.REQUEST, REQUEST));
        assertThrows(RequestNames.BadRequest.class, () -> ImageArchive.receive(
                new ByteArrayInputStream(entries(twice)), dir.resolve("img"), 1 << 20));
    }

    @Test
    void refusesARequestOverItsLimit(@TempDir Path dir) {
        List<Map.Entry<String, byte[]>> big = List.of(Map.entry(ImageArchive.REQUEST,
                new byte[ImageArchive.MAX_REQUEST_BYTES + 1]));
        assertThrows(RequestNames.BadRequest.class, () -> ImageArchive.receive(
                new ByteArrayInputStream(entries(big)), dir.resolve("img"), 1 << 30));
    }

    /** A repeated restore call: its image is read to the end and dropped; its request still counts. */
    @Test
    void withoutADirectoryTheImageIsReadAndDropped(@TempDir Path dir) throws IOException {
        ImageArchive.Received in = ImageArchive.receive(new ByteArrayInputStream(
                archive(Map.of("pages-1.img", new byte[5000]))), null, 1 << 20);
        assertEquals(5000, in.bytes());
        assertArrayEquals(REQUEST, in.request());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
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
        return written(REQUEST, dir);
    }

    static byte[] written(byte[] request, Path dir) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ImageArchive.body(request, dir).writeTo(all);
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

        ImageArchive.Received in = ImageArchive.receive(new ByteArrayInputStream(written(from)), dir.resolve("to"), 1 << 24);
        assertArrayEquals(REQUEST, in.request());
        assertEquals(pages.length + 40 * "task 0".length() + 30 * 1 /* "task 10".."task 39" */, in.bytes());
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
        IOException e = assertThrows(IOException.class, () -> ImageArchive.body(REQUEST, from).writeTo(growsAfterItsFirstBytes));
        assertTrue(e.getMessage().contains("grew"), e.getMessage());
    }

    @Test
    void parsesProcNetTcpAddresses() throws IOException {
        assertEquals("10.20.0.100", ConnectionCloser.hexToIpv4("6400140A").getHostAddress());
    }
}
