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
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

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

    /** What the publisher sends, in full, buffer by buffer. */
    static List<byte[]> published(HttpRequest.BodyPublisher body) throws Exception {
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        body.subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer b) {
                byte[] a = new byte[b.remaining()];
                b.get(a);
                chunks.add(a);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                done.complete(null);
            }
        });
        done.get(10, TimeUnit.SECONDS);
        return chunks;
    }

    @Test
    void aDirectoryGoesAcrossWholeWithItsSmallFilesBatched(@TempDir Path dir) throws Exception {
        Path from = Files.createDirectories(dir.resolve("from"));
        byte[] pages = new byte[ImageArchive.SMALL_FILE * 3 + 17];
        new Random(7).nextBytes(pages);
        Files.write(from.resolve("pages-1.img"), pages);
        for (int i = 0; i < 40; i++) {
            Files.write(from.resolve("core-" + i + ".img"), ("task " + i).getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(from.resolve("dump.log"), new byte[] {1}); // logs stay behind
        var body = ImageArchive.publisher(from);
        List<byte[]> chunks = published(body);
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] c : chunks) {
            all.write(c);
        }
        assertEquals(body.contentLength(), all.size(), "the declared length");

        long n = ImageArchive.receive(new ByteArrayInputStream(all.toByteArray()), dir.resolve("to"), 1 << 24);
        assertEquals(pages.length + 40 * "task 0".length() + 30 * 1 /* "task 10".."task 39" */, n);
        assertArrayEquals(pages, Files.readAllBytes(dir.resolve("to/pages-1.img")));
        assertArrayEquals("task 39".getBytes(StandardCharsets.US_ASCII), Files.readAllBytes(dir.resolve("to/core-39.img")));
        assertFalse(Files.exists(dir.resolve("to/dump.log")));
        // the 40 small files and their headers did not go one buffer each (the pages file may be read in several)
        long small = chunks.stream().filter(c -> c.length < 1000).count();
        assertTrue(small <= 2, "small buffers: " + small + " of " + chunks.size());
    }

    @Test
    void parsesProcNetTcpAddresses() throws IOException {
        assertEquals("10.20.0.100", ConnectionCloser.hexToIpv4("6400140A").getHostAddress());
    }
}
