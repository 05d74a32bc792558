package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * No product code starts a shell: every process (CRIU, QEMU, a workload) is started from an
 * argument list with ProcessBuilder, so a name with shell metacharacters stays one argument.
 * Reads every {@code src/main/java} file of the repository.
 */
class NoShellTest {
    private static final Pattern SHELL = Pattern.compile(
            "Runtime\\s*\\.\\s*getRuntime\\s*\\(\\s*\\)\\s*\\.\\s*exec|\"(/usr)?(/bin/)?(ba|da|z|k)?sh\"|\"-c\"|\"cmd(\\.exe)?\"");

    static Path repository() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("daemon")) ) {
            p = p.getParent();
        }
        if (p == null) {
            throw new AssertionError("cannot find the repository root above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    @Test
    void noMainSourceRunsAShell() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(repository())) {
            sources = files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/java/")
                    && !f.toString().contains("/target/")).toList();
        }
        assertTrue(sources.size() > 50, "found only " + sources.size() + " main sources under " + repository());
        List<String> found = new ArrayList<>();
        int processStarts = 0;
        for (Path f : sources) {
            List<String> lines = Files.readAllLines(f);
            for (int i = 0; i < lines.size(); i++) {
                if (SHELL.matcher(lines.get(i)).find()) {
                    found.add(repository().relativize(f) + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
                if (lines.get(i).contains("new ProcessBuilder(")) {
                    processStarts++;
                }
            }
        }
        assertEquals(List.of(), found, "a shell is started");
        assertTrue(processStarts >= 2, "expected the ProcessBuilder starts of CRIU and the workloads, found " + processStarts);
    }
}
