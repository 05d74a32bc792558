package net.sessionmigration.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.karaf.shell.support.CommandException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import com.fasterxml.jackson.databind.ObjectMapper;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

/** The timeline picture: well-formed, every row labelled, and the users' gaps on the migration's axis. */
class TimelineTest {
    private static final long T0 = Fixtures.T0;
    private static final double T0_UNIX = T0 / 1_000_000.0;

    @TempDir
    Path dir;

    /** A 100 ms migration: frozen 10–90 ms, v unreachable 40–60 ms, one port move at 50–55 ms. */
    private static MigrationRecord migration() {
        List<StepRecord> steps = new ArrayList<>();
        steps.add(new StepRecord(Step.S701, T0, T0 + 1_000, StepOutcome.DONE, ""));
        steps.add(new StepRecord(Step.S703, T0 + 10_000, T0 + 20_000, StepOutcome.DONE, "frozen"));
        steps.add(new StepRecord(Step.S704, T0 + 20_000, T0 + 40_000, StepOutcome.DONE, ""));
        steps.add(new StepRecord(Step.S705, T0 + 40_000, T0 + 45_000, StepOutcome.DONE, ""));
        steps.add(new StepRecord(Step.S708, T0 + 50_000, T0 + 60_000, StepOutcome.DONE, "1 port"));
        steps.add(new StepRecord(Step.S710, T0 + 60_000, T0 + 90_000, StepOutcome.DONE, ""));
        return new MigrationRecord("m-7", "evacuate <main> & co", MigrationMode.MOVE, "trap:ups-on-battery",
                MigrationState.SUCCEEDED, T0, T0 + 100_000, steps,
                List.of(new OperationRecord(Step.S704, "criu-daemon", "main-srv", "migrate", T0 + 20_000, T0 + 40_000, "ok"),
                        new OperationRecord(Step.S708, "snmp-qbridge", "sw1", "set dot1qPvid 1=2", T0 + 50_000, T0 + 55_000, "ok")),
                Optional.empty(), List.of());
    }

    /** The client connected 5 s before S701; it saw one 50 ms gap from 20 to 70 ms after S701, and an older one. */
    private static String clientRecord(boolean reset) {
        return """
            {"connected": true, "connected_unix": %s, "ended_unix": %s, "reset": %s, "missing": 0, "duplicates": 0,
             "largest_gap_ms": 50.0, "gaps": [{"at_s": 1.0, "ms": 35.0, "after_seq": 90},
                                               {"at_s": 5.07, "ms": 50.0, "after_seq": 400}]}
            """.formatted(T0_UNIX - 5, T0_UNIX + 3, reset);
    }

    private static UserTrack user(String name, boolean reset) throws Exception {
        return UserTrack.parse(name, new ObjectMapper().readTree(clientRecord(reset)));
    }

    private static Document parse(String xml) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> texts(Document d) {
        NodeList nodes = d.getElementsByTagName("text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    @Test
    void theSvgIsWellFormedWithARowPerStepDeviceAndUser() throws Exception {
        Document d = parse(new Timeline(migration(), List.of(user("u1", false))).svg());
        assertEquals("svg", d.getDocumentElement().getTagName());
        List<String> texts = texts(d);
        for (Step s : List.of(Step.S701, Step.S703, Step.S704, Step.S705, Step.S708, Step.S710)) {
            assertTrue(texts.contains(s.name() + "  " + s.description()), s + " row in " + texts);
        }
        assertTrue(texts.contains("main-srv (criu-daemon)"), texts.toString());
        assertTrue(texts.contains("sw1 (snmp-qbridge)"), texts.toString());
        assertTrue(texts.contains("set dot1qPvid 1=2"), texts.toString());
        assertTrue(texts.contains("u1  (session kept)"), texts.toString());
        assertTrue(texts.contains("gap 50.0 ms"), texts.toString());
        assertTrue(texts.contains("time from S701 (ms)"), texts.toString());
        assertTrue(texts.contains("workload frozen S703–S710 80.000 ms"), texts.toString());
        assertTrue(texts.contains("v unreachable S705–S708 20.000 ms"), texts.toString());
    }

    @Test
    void aGapSitsOnTheMigrationsAxisByAbsoluteTime() throws Exception {
        UserTrack u = user("u1", false);
        UserTrack.Gap gap = u.gaps().get(1);
        assertEquals(T0 + 20_000, gap.startMicros(), 1, "ends 5.07 s after the connect, 5 s before S701, lasted 50 ms");
        assertEquals(T0 + 70_000, gap.endMicros(), 1);

        Timeline t = new Timeline(migration(), List.of(u));
        String svg = t.svg();
        // the gap's bar starts where S704 starts (both at +20 ms) and ends at +70 ms
        String expected = String.format(java.util.Locale.ROOT, "x=\"%.1f\"", t.x(T0 + 20_000));
        Element gapBar = rectWithTitle(parse(svg), "u1 saw no line for 50.0 ms");
        assertEquals(expected, "x=\"" + gapBar.getAttribute("x") + "\"");
        assertEquals(t.x(T0 + 70_000) - t.x(T0 + 20_000), Double.parseDouble(gapBar.getAttribute("width")), 0.11);
        Element s704 = rectWithTitle(parse(svg), "S704 DONE 20.000 ms");
        assertEquals(s704.getAttribute("x"), gapBar.getAttribute("x"));
        // the older gap (5 s before S701) is the machine's noise, not the migration's: not drawn
        assertFalse(svg.contains("no line for 35.0 ms"), svg);
        assertEquals(0.0, t.ms(T0));
        assertTrue(t.x(T0) > Timeline.LABEL_WIDTH && t.x(T0 + 100_000) < Timeline.LABEL_WIDTH + Timeline.PLOT_WIDTH);
    }

    private static Element rectWithTitle(Document d, String title) {
        NodeList rects = d.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            Element r = (Element) rects.item(i);
            if (r.getTextContent().equals(title)) {
                return r;
            }
        }
        throw new AssertionError("no bar titled '" + title + "'");
    }

    @Test
    void anOperationWithinAnotherOfTheSameDeviceIsDrawnInsideIt() throws Exception {
        OperationRecord call = new OperationRecord(Step.S704, "criu-daemon", "main-srv", "migrate", T0 + 20_000, T0 + 40_000, "ok");
        OperationRecord dump = new OperationRecord(Step.S704, "criu-daemon", "main-srv", "dump", T0 + 21_000, T0 + 30_000, "dumped");
        OperationRecord twin = new OperationRecord(Step.S704, "criu-daemon", "main-srv", "migrate", T0 + 20_000, T0 + 40_000,
                "restored at bak-srv");
        List<OperationRecord> row = List.of(call, dump, twin);
        assertFalse(Timeline.inner(call, row));
        assertTrue(Timeline.inner(dump, row));
        assertTrue(Timeline.inner(twin, row), "the second of two identical operations is the inner one");

        MigrationRecord m = migration();
        MigrationRecord withInner = new MigrationRecord(m.id(), m.plan(), m.mode(), m.trigger(), m.state(), m.startMicros(),
                m.endMicros(), m.steps(), row, Optional.empty(), List.of());
        Document d = parse(new Timeline(withInner, List.of()).svg());
        Element outerBar = rectWithTitle(d, "S704 main-srv migrate: ok (20.000 ms)");
        Element innerBar = rectWithTitle(d, "S704 main-srv dump: dumped (9.000 ms)");
        assertTrue(Integer.parseInt(innerBar.getAttribute("height")) < Integer.parseInt(outerBar.getAttribute("height")));
        assertTrue(texts(d).contains("migrate"));
        assertFalse(texts(d).contains("dump"), "inner operations are named in their tooltips only");
    }

    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(10.0, Timeline.tickStep(100));
        assertEquals(20.0, Timeline.tickStep(130));
        assertEquals(500.0, Timeline.tickStep(4100));
        assertEquals(0.5, Timeline.tickStep(4.5), 1e-12);
    }

    @Test
    void theHtmlPageIsSelfContainedAndEscapesNames() throws Exception {
        String page = Timeline.html(migration(), List.of(user("u1", false), user("u2", true)), ZoneOffset.UTC);
        assertTrue(page.startsWith("<!DOCTYPE html>"));
        assertTrue(page.contains("plan evacuate &lt;main&gt; &amp; co"), page);
        assertTrue(page.contains("user u2: session LOST, 0 missing, 0 duplicated, reset"), page);
        assertFalse(page.contains("<script"), "no script");
        assertFalse(page.contains("href=") || page.contains("src="), "no external reference");
        String svg = page.substring(page.indexOf("<svg"), page.indexOf("</svg>") + 6);
        assertTrue(texts(parse(svg)).contains("u2  (session LOST)"));
    }

    @Test
    void theClientsOwnVerdictDecidesKeptOrLostWithItsReasons() throws Exception {
        String wedged = clientRecord(false).replace("\"largest_gap_ms\"",
                "\"verdict\": {\"kept\": false, \"reasons\": [\"12 requests unanswered\"]}, \"largest_gap_ms\"");
        UserTrack u = UserTrack.parse("u1", new ObjectMapper().readTree(wedged));
        assertFalse(u.kept());
        assertTrue(u.verdict().contains("12 requests unanswered"), u.verdict());
        String kept = clientRecord(true).replace("\"largest_gap_ms\"",
                "\"verdict\": {\"kept\": true, \"reasons\": []}, \"largest_gap_ms\"");
        assertTrue(UserTrack.parse("u1", new ObjectMapper().readTree(kept)).kept(), "the verdict wins over the old fields");
    }

    @Test
    void aClientThatNeverConnectedIsRefused() {
        var r = new ObjectMapper().createObjectNode().put("connected", false);
        assertThrows(IllegalArgumentException.class, () -> UserTrack.parse("u1", r));
    }

    @Test
    void historyWritesTheHtmlWithUserRecords() throws Exception {
        Path rec = dir.resolve("u1.json");
        Files.writeString(rec, clientRecord(false));
        Fixtures.Capture capture = new Fixtures.Capture();
        HistoryCommand c = new HistoryCommand();
        c.output = capture.output;
        c.migrations = new FakeMigrationService().record(migration());
        c.id = "m-7";
        c.html = dir.resolve("t.html").toString();
        c.svg = dir.resolve("t.svg").toString();
        c.userRecords = List.of("u1=" + rec);
        c.execute();
        assertTrue(Files.readString(dir.resolve("t.html")).contains("u1  (session kept)"));
        parse(Files.readString(dir.resolve("t.svg")));
        assertTrue(capture.text().contains("timeline written to " + dir.resolve("t.html")), capture.text());
    }

    @Test
    void historyTimelineInputErrorsNameTheValue() {
        HistoryCommand c = new HistoryCommand();
        c.output = new Fixtures.Capture().output;
        c.migrations = new FakeMigrationService().record(migration());
        c.html = dir.resolve("t.html").toString();
        assertThrows(CommandException.class, c::execute, "needs an id");
        c.id = "m-7";
        c.userRecords = List.of("u1");
        CommandException e = assertThrows(CommandException.class, c::execute);
        assertTrue(e.getMessage().contains("bad user-record 'u1'"), e.getMessage());
        c.userRecords = List.of("u1=" + dir.resolve("absent.json"));
        e = assertThrows(CommandException.class, c::execute);
        assertTrue(e.getMessage().contains("cannot read user-record u1"), e.getMessage());
        c.userRecords = null;
        c.html = dir.resolve("no-such-dir/t.html").toString();
        e = assertThrows(CommandException.class, c::execute);
        assertTrue(e.getMessage().contains("cannot write the timeline to"), e.getMessage());
    }
}
