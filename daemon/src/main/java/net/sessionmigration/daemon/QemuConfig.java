package net.sessionmigration.daemon;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import net.sessionmigration.qmp.Accelerator;
import net.sessionmigration.qmp.MigrationParameters;
import net.sessionmigration.qmp.VmSpec;

/**
 * The daemon's VMs (the {@code "qemu"} section of its configuration). Both sites configure a VM
 * of the same name with the same image, memory, MAC and kernel command line (the guest's
 * address travels inside it); only the tap and the address this daemon listens on as a
 * migration destination are the site's own.
 *
 * @param binary      qemu-system-x86_64 (absolute path)
 * @param accelerator {@code auto} (try KVM by booting, else TCG), {@code kvm} or {@code tcg}
 * @param runDir      QMP sockets, consoles, pid files and QEMU's logs
 * @param vms         the VMs by workload name
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record QemuConfig(String binary, String accelerator, String runDir, Map<String, Vm> vms) {
    private static final Pattern HOST_PORT = Pattern.compile("([0-9.]+):([0-9]{1,5})");

    /**
     * One VM.
     *
     * @param kernel          uncompressed vmlinux
     * @param initrd          initramfs
     * @param append          kernel command line (the lab image reads its IP and port from it)
     * @param memoryMb        guest RAM
     * @param tap             the site's tap, already bridged into the server LAN
     * @param mac             the guest's MAC, the same at both sites
     * @param incoming        IPv4:port on the migration network where this daemon's destination
     *                        QEMU listens ({@code migrate-incoming tcp:...})
     * @param downtimeLimitMs QEMU's {@code downtime-limit} unless the plan sets one (null: QEMU's 300 ms)
     * @param maxBandwidth    QEMU's {@code max-bandwidth} in bytes/s unless the plan sets one
     * @param readyMarker     what the guest prints on its console once its service runs
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Vm(String kernel, String initrd, String append, int memoryMb, String tap, String mac,
                     String incoming, Long downtimeLimitMs, Long maxBandwidth, String readyMarker) {
        public Vm {
            if (memoryMb == 0) {
                memoryMb = 128;
            }
            if (readyMarker == null || readyMarker.isBlank()) {
                readyMarker = "sm-vm: ready";
            }
            new VmSpec.TapAttachment(tap, mac); // names the bad field
            if (incoming == null || !HOST_PORT.matcher(incoming).matches()) {
                throw new IllegalArgumentException("incoming must be IPv4:port, e.g. 10.98.0.2:7450");
            }
            var m = HOST_PORT.matcher(incoming);
            m.matches();
            RequestNames.requireIpv4("incoming address", m.group(1));
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("incoming port must be 1..65535");
            }
            new MigrationParameters(Optional.ofNullable(downtimeLimitMs).map(Duration::ofMillis),
                    Optional.ofNullable(maxBandwidth));
        }

        /** The URI the source QEMU sends to when this daemon is the destination. */
        public String incomingUri() {
            return "tcp:" + incoming;
        }
    }

    public QemuConfig {
        if (binary == null || binary.isBlank()) {
            binary = "/usr/bin/qemu-system-x86_64";
        }
        accelerator = accelerator == null ? "auto" : accelerator;
        if (!List.of("auto", "kvm", "tcg").contains(accelerator)) {
            throw new IllegalArgumentException("qemu.accelerator must be auto, kvm or tcg");
        }
        if (runDir == null || runDir.isBlank()) {
            throw new IllegalArgumentException("qemu.runDir is required");
        }
        vms = vms == null ? Map.of() : Map.copyOf(vms);
        vms.keySet().forEach(n -> RequestNames.require("VM name", n));
        // every path and name is checked now, not at the first start
        for (Map.Entry<String, Vm> e : vms.entrySet()) {
            spec(binary, runDir, e.getKey(), e.getValue(), Accelerator.TCG);
        }
    }

    /** The QEMU spec of VM {@code name} (in this daemon's namespace, with its tap). */
    VmSpec spec(String name, Vm v, Accelerator a) {
        return spec(binary, runDir, name, v, a);
    }

    private static VmSpec spec(String binary, String runDir, String name, Vm v, Accelerator a) {
        if (v.kernel() == null || v.initrd() == null) {
            throw new IllegalArgumentException("VM " + name + " needs kernel and initrd");
        }
        return new VmSpec(name, Path.of(binary), Path.of(v.kernel()), Path.of(v.initrd()), v.append(), v.memoryMb(),
                Optional.of(new VmSpec.TapAttachment(v.tap(), v.mac())), Optional.empty(), Path.of(runDir), a,
                false, false, List.of());
    }
}
