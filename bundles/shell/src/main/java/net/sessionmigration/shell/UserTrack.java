package net.sessionmigration.shell;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.karaf.shell.support.CommandException;

/**
 * What one user saw, from the lab client's record ({@code lab/tools/user-client}): the session
 * span and every gap between two lines, in epoch microseconds so they share the timeline's axis.
 */
record UserTrack(String name, long fromMicros, long toMicros, List<Gap> gaps, double largestGapMs,
                 boolean kept, String verdict) {

    /** No line arrived from {@code startMicros} to {@code endMicros}. */
    record Gap(long startMicros, long endMicros) {
        double millis() {
            return (endMicros - startMicros) / 1000.0;
        }
    }

    UserTrack {
        gaps = List.copyOf(gaps);
    }

    /** {@code NAME=FILE}, as given to {@code history --user-record}. */
    static UserTrack read(String nameAndFile) throws CommandException {
        int eq = nameAndFile.indexOf('=');
        if (eq <= 0 || eq == nameAndFile.length() - 1) {
            throw new CommandException("bad user-record '" + nameAndFile + "' (expected NAME=FILE.json)");
        }
        String name = nameAndFile.substring(0, eq);
        Path file = Path.of(nameAndFile.substring(eq + 1));
        try {
            return parse(name, new ObjectMapper().readTree(Files.readString(file)));
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandException("cannot read user-record " + name + " from " + file + ": " + e.getMessage());
        }
    }

    /** A gap in the record ends {@code at_s} seconds after the connect and lasted {@code ms}. */
    static UserTrack parse(String name, JsonNode r) {
        JsonNode connected = r.path("connected_unix");
        if (!r.path("connected").asBoolean(false) || !connected.isNumber()) {
            throw new IllegalArgumentException("the user never connected (connected_unix missing)");
        }
        double connectedUnix = connected.asDouble();
        List<Gap> gaps = new ArrayList<>();
        for (JsonNode g : r.path("gaps")) {
            if (!g.path("at_s").isNumber() || !g.path("ms").isNumber()) {
                throw new IllegalArgumentException("a gap without numeric at_s and ms: " + g);
            }
            long end = micros(connectedUnix + g.path("at_s").asDouble());
            gaps.add(new Gap(end - Math.round(g.path("ms").asDouble() * 1000.0), end));
        }
        long to = r.path("ended_unix").isNumber() ? micros(r.path("ended_unix").asDouble())
                : gaps.isEmpty() ? micros(connectedUnix) : gaps.get(gaps.size() - 1).endMicros();
        boolean kept;
        String verdict;
        JsonNode v = r.path("verdict");
        if (v.path("kept").isBoolean()) { // the lab's one verdict (lab/tools/session_verdict.py), written by the client
            kept = v.path("kept").asBoolean();
            List<String> reasons = new ArrayList<>();
            v.path("reasons").forEach(x -> reasons.add(x.asText()));
            verdict = kept ? "session kept" : "session LOST: " + String.join(", ", reasons);
        } else { // a record from before the verdict
            boolean reset = r.path("reset").asBoolean(false);
            long missing = r.path("missing").asLong(0);
            long duplicates = r.path("duplicates").asLong(0);
            kept = !reset && missing == 0 && duplicates == 0;
            verdict = (kept ? "session kept" : "session LOST") + ", " + missing + " missing, " + duplicates + " duplicated"
                    + (reset ? ", reset" : "");
        }
        return new UserTrack(name, micros(connectedUnix), to, gaps, r.path("largest_gap_ms").asDouble(0), kept, verdict);
    }

    private static long micros(double unixSeconds) {
        return Math.round(unixSeconds * 1_000_000.0);
    }
}
