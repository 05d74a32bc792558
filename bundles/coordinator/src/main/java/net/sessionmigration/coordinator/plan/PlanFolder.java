package net.sessionmigration.coordinator.plan;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan files of one folder, re-read when their content changes. Content is compared
 * rather than modification times, which some file systems keep to the second only; plan files
 * are small, so reading them on each poll costs little.
 */
public final class PlanFolder {
    private static final Logger LOG = LoggerFactory.getLogger(PlanFolder.class);

    private final Path dir;
    private final PlanParser parser = new PlanParser();
    private final Map<String, ParsedPlan> plans = new HashMap<>();
    private boolean warnedMissing;

    public PlanFolder(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** Reads new and changed files and forgets deleted ones; never throws. */
    public synchronized void refresh() {
        if (!Files.isDirectory(dir)) {
            if (!warnedMissing) {
                LOG.warn("plan folder {} does not exist; no plans loaded", dir);
                warnedMissing = true;
            }
            plans.clear();
            return;
        }
        warnedMissing = false;
        Set<String> seen = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + PlanParser.EXTENSION)) {
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                String name = PlanParser.planName(file);
                seen.add(name);
                String text;
                try {
                    text = Files.readString(file);
                } catch (IOException | RuntimeException e) {
                    // half-written or unreadable: report it as an invalid plan until it reads cleanly
                    plans.put(name, parser.parse(file));
                    continue;
                }
                ParsedPlan old = plans.get(name);
                if (old == null || !old.source().equals(text)) {
                    ParsedPlan parsed = parser.parse(file.getFileName().toString(), text);
                    plans.put(name, parsed);
                    if (parsed.valid()) {
                        LOG.info("plan {} loaded from {}", name, file);
                    } else {
                        LOG.warn("plan {} in {} is invalid: {} error(s), first: {}", name, file,
                                parsed.errors().size(), parsed.errors().get(0));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot list plan folder {}: {}", dir, e.toString());
            return;
        }
        plans.keySet().removeIf(name -> {
            boolean gone = !seen.contains(name);
            if (gone) {
                LOG.info("plan {} removed", name);
            }
            return gone;
        });
    }

    public synchronized List<ParsedPlan> all() {
        List<ParsedPlan> list = new ArrayList<>(plans.values());
        list.sort(Comparator.comparing(ParsedPlan::name));
        return list;
    }

    public synchronized Optional<ParsedPlan> get(String name) {
        return Optional.ofNullable(plans.get(name));
    }
}
