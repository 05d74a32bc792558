package net.sessionmigration.criurpc;

import java.time.Duration;
import java.util.List;

/**
 * A successful dump: the notify scripts CRIU ran, in order; the time from spawning the worker
 * to its answer; CRIU's dump statistics (its {@code stats-dump} image, or null if absent); and
 * a notify callback's failure that did not abort the dump (network-unlock), or null.
 */
public record DumpResult(List<String> notifications, Duration elapsed, CriuStats.Dump stats, Throwable notifyFailure) {
}
