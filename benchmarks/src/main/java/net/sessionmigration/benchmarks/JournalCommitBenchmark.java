package net.sessionmigration.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import net.sessionmigration.api.model.MigrationMode;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.MigrationState;

/**
 * One journal commit, as each step of a migration makes before it acts: a running migration's
 * record saved again, by journal ({@link Journals}). Sample time, so that the median and the tail
 * show.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class JournalCommitBenchmark {

    @Param({"memory", "file", "file-fsync", "zookeeper"})
    public String journal;

    private Path dir;
    private Journals journals;
    private long n;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("sm-bench-journal");
        journals = Journals.open(journal, dir);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        journals.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public void commitOneStep() {
        n++;
        journals.journal.save(new MigrationRecord("bench-" + (n % 16), "bench", MigrationMode.MOVE, "benchmark",
                MigrationState.RUNNING, n, 0, List.of(), List.of(), Optional.empty(), List.of("step " + n)));
    }
}
