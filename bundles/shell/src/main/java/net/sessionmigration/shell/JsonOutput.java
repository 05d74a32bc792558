package net.sessionmigration.shell;

import java.io.IOException;
import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;

import net.sessionmigration.api.model.VirtualIp;
import net.sessionmigration.api.model.VlanId;
import net.sessionmigration.api.service.DryRunReport;
import net.sessionmigration.api.service.MigrationRecord;
import net.sessionmigration.api.service.OperationRecord;
import net.sessionmigration.api.service.PlanStatus;
import net.sessionmigration.api.service.StepRecord;

/**
 * The one JSON form of every command's {@code --json}: the API records as they are, plus the
 * derived facts a script would otherwise recompute (valid, runnable, go, durations). Mix-ins
 * add those without touching {@code api}, which must stay free of Jackson.
 */
final class JsonOutput {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new Jdk8Module())
            .registerModule(new SimpleModule("session-migration")
                    .addSerializer(VlanId.class, new ToNumber())
                    .addSerializer(VirtualIp.class, new ToText<>())
                    .addSerializer(Duration.class, new ToText<>())
                    .setMixInAnnotation(PlanStatus.class, PlanStatusMixin.class)
                    .setMixInAnnotation(DryRunReport.class, DryRunMixin.class)
                    .setMixInAnnotation(MigrationRecord.class, WithDuration.class)
                    .setMixInAnnotation(StepRecord.class, WithDuration.class)
                    .setMixInAnnotation(OperationRecord.class, WithDuration.class))
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private JsonOutput() {
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            // only a programming error (an unserialisable type) gets here
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static final class ToNumber extends JsonSerializer<VlanId> {
        @Override
        public void serialize(VlanId value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeNumber(value.value());
        }
    }

    /** VirtualIp and Duration print as their standard text ("10.0.0.1", ISO-8601 "PT0.095S"). */
    private static final class ToText<T> extends JsonSerializer<T> {
        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }

    abstract static class PlanStatusMixin {
        @JsonProperty("valid")
        abstract boolean valid();

        @JsonProperty("runnable")
        abstract boolean runnable();
    }

    abstract static class DryRunMixin {
        @JsonProperty("go")
        abstract boolean go();
    }

    abstract static class WithDuration {
        @JsonProperty("durationMicros")
        abstract long durationMicros();
    }
}
