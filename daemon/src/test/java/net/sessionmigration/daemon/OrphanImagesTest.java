package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon killed mid-migration leaves its images on tmpfs; the next start removes them. */
class OrphanImagesTest {

    @Test
    void theImagesOfAPreviousRunAreRemovedAtStart(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("img");
        Files.createDirectories(root.resolve("20261125-121810-3"));
        Files.writeString(root.resolve("20261125-121810-3/pages-1.img"), "pages");
        Files.createDirectories(root.resolve("m2/sub"));
        Files.writeString(root.resolve("m2/sub/x.img"), "x");
        MigrationService service = service(root);

        assertEquals(2, service.removeOrphanImages());
        assertTrue(Files.isDirectory(root), "the image root itself stays");
        try (var left = Files.list(root)) {
            assertEquals(0, left.count());
        }
        assertEquals(0, service.removeOrphanImages(), "nothing left the second time");
    }

    @Test
    void aMissingImageRootIsNothingToRemove(@TempDir Path dir) throws Exception {
        assertEquals(0, service(dir.resolve("absent")).removeOrphanImages());
        assertFalse(Files.exists(dir.resolve("absent")));
    }

    private static MigrationService service(Path root) {
        DaemonConfig config = new DaemonConfig("srv", "127.0.0.1", 1,
                new DaemonConfig.Tls("unused", "unused", "unused", "unused"), Map.of(), "/nonexistent/criu",
                root.toString(), 1024, Map.of());
        return new MigrationService(config, new Criu("/nonexistent/criu"), new VirtualIpControl(), null);
    }
}
