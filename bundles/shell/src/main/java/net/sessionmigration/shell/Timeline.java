package net.sessionmigration.shell;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import net.sessionmigration.api.model.Step;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.StepOutcome;
import net.sessionmigration.api.service.StepRecord;

/**
 * One migration as a picture: a time axis in milliseconds from S701, a bar per step, a row per
 * device with its driver operations, and a row per user with the gaps the user saw, all on the
 * same axis (epoch microseconds). Plain SVG with no script or external reference, so the page
 * opens anywhere and can be committed.
 */
final class Timeline {
    static final int WIDTH = 1280;
    static final int LABEL_WIDTH = 330;
    static final int PLOT_WIDTH = WIDTH - LABEL_WIDTH - 40;
    static final int ROW = 24;
    private static final int TOP = 84;
    /** Average width of a 13 px DejaVu Sans character, to keep captions apart. */
    private static final double CHAR_WIDTH = 7.2;

    private final MigrationRecord record;
    private final List<UserTrack> users;
    private final long fromMicros;
    private final long toMicros;
    private final StringBuilder svg = new StringBuilder();
    private int y = TOP;
    /** Where the last caption of the current row ends, so the next one does not cover it. */
    private double captionEnd;
    /** The current row's captions, drawn after its bars so that no bar covers them. */
    private final StringBuilder captions = new StringBuilder();

    Timeline(MigrationRecord record, List<UserTrack> users) {
        this.record = record;
        this.users = List.copyOf(users);
        long end = Math.max(lastEnd(record), record.startMicros() + 1_000);
        // a little room on both sides, and enough to show a user's gap that sticks out of the migration
        long margin = Math.max((end - record.startMicros()) / 20, 1_000);
        long from = record.startMicros() - margin;
        long to = end + margin;
        for (UserTrack u : this.users) {
            for (UserTrack.Gap g : visibleGaps(u, record.startMicros() - margin, end + margin)) {
                from = Math.min(from, g.startMicros() - margin);
                to = Math.max(to, g.endMicros() + margin);
            }
        }
        this.fromMicros = from;
        this.toMicros = to;
    }

    /** The x coordinate of an epoch-microsecond time. */
    double x(long micros) {
        return LABEL_WIDTH + (double) (micros - fromMicros) * PLOT_WIDTH / (toMicros - fromMicros);
    }

    /** Milliseconds from S701's start, the axis' unit. */
    double ms(long micros) {
        return (micros - record.startMicros()) / 1000.0;
    }

    /** Gaps that overlap the migration (give or take the margin); other gaps are the machine's own noise. */
    static List<UserTrack.Gap> visibleGaps(UserTrack u, long from, long to) {
        return u.gaps().stream().filter(g -> g.endMicros() >= from && g.startMicros() <= to).toList();
    }

    /** A self-contained HTML page: heading, the SVG, and the users' verdicts. */
    static String html(MigrationRecord record, List<UserTrack> users, ZoneId zone) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Migration ")
                .append(esc(record.id())).append("</title>\n<style>body{font-family:sans-serif;margin:16px;color:#222}"
                        + "h1{font-size:20px;margin:0 0 4px}p{margin:2px 0;font-size:14px}</style></head><body>\n")
                .append("<h1>Migration ").append(esc(record.id())).append(" · plan ").append(esc(record.plan()))
                .append(" · ").append(record.mode()).append(" · ").append(record.state()).append("</h1>\n")
                .append("<p>trigger ").append(esc(record.trigger())).append(" · started ")
                .append(esc(TimeFormat.wallClock(record.startMicros(), zone))).append(" · S701→end ")
                .append(record.endMicros() == 0 ? "running" : TimeFormat.millis(record.durationMicros()) + " ms")
                .append("</p>\n");
        for (UserTrack u : users) {
            page.append("<p>user ").append(esc(u.name())).append(": ").append(esc(u.verdict()))
                    .append(", largest gap ").append(String.format(Locale.ROOT, "%.1f", u.largestGapMs())).append(" ms</p>\n");
        }
        page.append(new Timeline(record, users).svg()).append("\n</body></html>\n");
        return page.toString();
    }

    String svg() {
        svg.setLength(0);
        y = TOP;
        windows();
        section("Steps (S701–S711)");
        record.steps().forEach(this::stepRow);
        section("Devices: driver operations");
        devices().forEach(this::deviceRow);
        if (!users.isEmpty()) {
            section("Users: gaps between two lines (≥ 30 ms)");
            users.forEach(this::userRow);
        }
        int height = y + 16;
        return String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"13\">%n", WIDTH, height, WIDTH, height)
                + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
                + axis(height) + svg + "</svg>";
    }

    /** Ticks at 1, 2 or 5 × 10^k ms, about ten across, with light grid lines. */
    private String axis(int height) {
        StringBuilder a = new StringBuilder();
        double spanMs = (toMicros - fromMicros) / 1000.0;
        double step = tickStep(spanMs);
        a.append(text(LABEL_WIDTH + PLOT_WIDTH / 2.0, 20, "time from S701 (ms)", "middle", "#222", true));
        for (double t = Math.ceil(ms(fromMicros) / step) * step; t <= ms(toMicros); t += step) {
            double px = x(record.startMicros() + Math.round(t * 1000.0));
            a.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"40\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>%n",
                    px, px, height - 10, t == 0 ? "#888" : "#e4e4e4"));
            a.append(text(px, 36, String.format(Locale.ROOT, "%s", trim(t)), "middle", "#444", false));
        }
        return a.toString();
    }

    static double tickStep(double spanMs) {
        double raw = spanMs / 10.0;
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * pow >= raw) {
                return m * pow;
            }
        }
        return 10 * pow;
    }

    private static String trim(double t) {
        return t == Math.rint(t) ? Long.toString((long) t) : String.format(Locale.ROOT, "%.2f", t);
    }

    /** Shaded bands: the workload frozen (S703 start → S710 end) and v unreachable (S705 start → S708 end). */
    private void windows() {
        Optional<StepRecord> s703 = step(Step.S703);
        Optional<StepRecord> s710 = step(Step.S710);
        Optional<StepRecord> s705 = step(Step.S705);
        Optional<StepRecord> s708 = step(Step.S708);
        if (s703.isPresent() && s710.isPresent() && s703.get().outcome() == StepOutcome.DONE) {
            band(s703.get().startMicros(), s710.get().endMicros(), "#fff4d6", "workload frozen S703–S710", TOP - 24);
        }
        if (s705.isPresent() && s708.isPresent() && s705.get().outcome() == StepOutcome.DONE) {
            band(s705.get().startMicros(), s708.get().endMicros(), "#ffd6d6", "v unreachable S705–S708", TOP - 8);
        }
    }

    private void band(long from, long to, String colour, String label, int captionY) {
        if (to <= from) {
            return;
        }
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%s\" fill=\"%s\" fill-opacity=\"0.7\"><title>%s: %s ms</title></rect>%n",
                x(from), captionY - 14, Math.max(x(to) - x(from), 1), "100%", colour, esc(label),
                TimeFormat.millis(to - from)));
        String caption = label + " " + TimeFormat.millis(to - from) + " ms";
        boolean fits = x(from) + 3 + caption.length() * CHAR_WIDTH < WIDTH - 4;
        svg.append(text(fits ? x(from) + 3 : x(to) - 3, captionY, caption, fits ? "start" : "end", "#a05a00", false));
    }

    private Optional<StepRecord> step(Step s) {
        return record.steps().stream().filter(r -> r.step() == s).findFirst();
    }

    private void section(String title) {
        y += 10;
        svg.append(text(8, y + 14, title, "start", "#222", true));
        y += ROW;
    }

    private void stepRow(StepRecord s) {
        label(s.step().name() + "  " + s.step().description());
        long end = s.endMicros() == 0 ? record.endMicros() : s.endMicros();
        String colour = switch (s.outcome()) {
            case DONE -> "#2e7d32";
            case SKIPPED -> "#9e9e9e";
            case FAILED -> "#c62828";
            case UNDONE -> "#ef6c00";
            case IN_PROGRESS -> "#1565c0";
        };
        String what = s.outcome() == StepOutcome.SKIPPED ? "skipped" : TimeFormat.millis(end - s.startMicros()) + " ms";
        bar(s.startMicros(), end, colour, s.step() + " " + s.outcome() + " " + what
                + (s.detail() == null || s.detail().isBlank() ? "" : ": " + s.detail()), what);
        endRow();
    }

    private Map<String, List<OperationRecord>> devices() {
        Map<String, List<OperationRecord>> byDevice = new LinkedHashMap<>();
        for (OperationRecord op : record.operations()) {
            byDevice.computeIfAbsent(op.device() + " (" + op.driverType() + ")", k -> new ArrayList<>()).add(op);
        }
        return byDevice;
    }

    private void deviceRow(String device, List<OperationRecord> ops) {
        label(device);
        // the outer operations (the coordinator's calls) as wide light bars with their names, what
        // a driver reported doing inside one of them as narrow dark bars (names in the tooltips)
        for (OperationRecord op : ops) {
            if (!inner(op, ops)) {
                opBar(op, failed(op) ? "#ef9a9a" : "#bbdefb", 4, ROW - 8, op.operation());
            }
        }
        for (OperationRecord op : ops) {
            if (inner(op, ops)) {
                opBar(op, failed(op) ? "#c62828" : "#1565c0", 8, ROW - 16, null);
            }
        }
        endRow();
    }

    /** Within the time of another operation of the same device (the first of identical ones is the outer). */
    static boolean inner(OperationRecord op, List<OperationRecord> row) {
        for (OperationRecord other : row) {
            if (other == op) {
                continue;
            }
            boolean within = other.startMicros() <= op.startMicros() && op.endMicros() <= other.endMicros();
            boolean same = other.startMicros() == op.startMicros() && other.endMicros() == op.endMicros();
            if (within && (!same || row.indexOf(other) < row.indexOf(op))) {
                return true;
            }
        }
        return false;
    }

    private void opBar(OperationRecord op, String colour, int top, int height, String caption) {
        long end = op.endMicros() == 0 ? record.endMicros() : op.endMicros();
        bar(op.startMicros(), end, colour, top, height, op.step() + " " + op.device() + " " + op.operation() + ": "
                + op.outcome() + " (" + TimeFormat.millis(end - op.startMicros()) + " ms)", caption);
    }

    private static boolean failed(OperationRecord op) {
        return op.outcome() != null && op.outcome().startsWith("failed");
    }

    private void userRow(UserTrack u) {
        label(u.name() + (u.kept() ? "  (session kept)" : "  (session LOST)"));
        long from = Math.max(u.fromMicros(), fromMicros);
        long to = Math.min(u.toMicros(), toMicros);
        if (to > from) {
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#66bb6a\" stroke-width=\"3\"/>%n",
                    x(from), y + ROW / 2, x(to), y + ROW / 2));
        }
        List<UserTrack.Gap> gaps = visibleGaps(u, fromMicros, toMicros);
        UserTrack.Gap largest = gaps.stream().max(java.util.Comparator.comparingLong(g -> g.endMicros() - g.startMicros()))
                .orElse(null);
        for (UserTrack.Gap g : gaps) {
            String ms = String.format(Locale.ROOT, "%.1f ms", g.millis());
            // only the largest gap gets a caption; every gap has its tooltip
            bar(g.startMicros(), g.endMicros(), "#d81b60", 4, ROW - 8, u.name() + " saw no line for " + ms,
                    g == largest ? "gap " + ms : null);
        }
        endRow();
    }

    private void label(String text) {
        svg.append(text(16, y + 16, text, "start", "#333", false));
    }

    /** A bar with a tooltip, and its caption right of it (left of it near the plot's right edge) if that leaves room. */
    private void bar(long from, long to, String colour, int top, int height, String tooltip, String caption) {
        double x0 = x(from);
        double w = Math.max(x(to) - x0, 2);
        svg.append(String.format(Locale.ROOT,
                "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" rx=\"2\" fill=\"%s\"><title>%s</title></rect>%n",
                x0, y + top, w, height, colour, esc(tooltip)));
        if (caption == null) {
            return;
        }
        double textWidth = caption.length() * CHAR_WIDTH;
        double right = x0 + w + 4;
        boolean fitsRight = right + textWidth < WIDTH - 4;
        double start = fitsRight ? right : x0 - 4 - textWidth;
        if (start < captionEnd || start < LABEL_WIDTH - 10) {
            return; // would cover another caption: the tooltip still has it
        }
        captions.append(text(fitsRight ? right : x0 - 4, y + 16, caption, fitsRight ? "start" : "end", "#333", false));
        captionEnd = start + textWidth + 6;
    }

    private void bar(long from, long to, String colour, String tooltip, String caption) {
        bar(from, to, colour, 4, ROW - 8, tooltip, caption);
    }

    private void endRow() {
        svg.append(captions);
        captions.setLength(0);
        captionEnd = 0;
        y += ROW;
    }

    private static String text(double x, int y, String s, String anchor, String colour, boolean bold) {
        // a white halo keeps a caption readable where it crosses a bar or a band
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" fill=\"%s\"%s"
                        + " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">%s</text>%n",
                x, y, anchor, colour, bold ? " font-weight=\"bold\"" : "", esc(s));
    }

    private static long lastEnd(MigrationRecord r) {
        long end = r.endMicros();
        for (StepRecord s : r.steps()) {
            end = Math.max(end, Math.max(s.startMicros(), s.endMicros()));
        }
        for (OperationRecord op : r.operations()) {
            end = Math.max(end, Math.max(op.startMicros(), op.endMicros()));
        }
        return end;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\n' || c == '\t') {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
