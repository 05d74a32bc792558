package net.sessionmigration.daemon.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** Answer of {@code POST /v1/workloads/{w}/start}: the root pid; a VM also its accelerator and boot time. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StartAnswer(String summary, int pid, String accelerator, @JsonProperty("boot_ms") Long bootMs) {

    public static StartAnswer of(String summary, int pid) {
        return new StartAnswer(summary, pid, null, null);
    }
}
