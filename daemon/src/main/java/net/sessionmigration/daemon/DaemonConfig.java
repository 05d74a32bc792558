package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The daemon's configuration file (JSON). See daemon/README.md for an example.
 *
 * @param name        this server's name (as peers and plans call it)
 * @param listen      address:port of the control API
 * @param tls         key and trust material (PKCS12)
 * @param peers       other daemons by name, e.g. {"bak-srv": "https://10.98.0.2:7443"}
 * @param criu        path of the criu binary
 * @param imageRoot   tmpfs directory for checkpoint images
 * @param workloads   the workloads this daemon manages, by name
 * @param gateway     optional: the gateway role (moves users' access ports between VLANs)
 * @param qemu        optional: the VMs this daemon runs and migrates with QEMU
 * @param pageServer  optional: when a checkpoint's pages go to the target through CRIU's page
 *                    server (default: port listenPort + 1, every workload)
 * @param rehearse    optional, default true: at start, one migration of a tiny process to this
 *                    daemon itself ({@link Rehearsal}), so that the first real one is not the cold one
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record DaemonConfig(String name, String listenAddress, int listenPort, Tls tls, Map<String, String> peers,
                           String criu, String imageRoot, long maxImageBytes, Map<String, WorkloadSpec> workloads,
                           GatewayConfig gateway, QemuConfig qemu, PageServer pageServer, Boolean rehearse) {

    /**
     * CRIU's page server at the target: the dump streams the pages straight into the target's
     * image directory over CRIU's TLS (no copy of the memory at the source, and GnuTLS instead of
     * the daemon's JVM on the bulk), authenticated with the daemons' certificates. For every size
     * since scripts/criu-patches/0002 (a page-server dump no longer waits 200 ms at its end for its
     * corked last message): at 1 MiB it freezes ~40 ms less than the daemon's own archive.
     *
     * @param port     the target's page-server port on its migration address
     * @param minBytes a workload whose resident memory is at least this uses it; -1: never
     */
    public record PageServer(int port, long minBytes) {
        public PageServer {
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("pageServer.port must be 1..65535");
            }
            if (minBytes < -1) {
                throw new IllegalArgumentException("pageServer.minBytes must be -1 (never) or more");
            }
        }

        public boolean usedFor(long residentBytes) {
            return minBytes >= 0 && residentBytes >= minBytes;
        }
    }

    /** The default threshold: every workload (BENCHMARKS.md, "Image transfer"). */
    public static final long PAGE_SERVER_MIN_BYTES = 0;

    public record Tls(String keystore, String keystorePasswordFile, String truststore, String truststorePasswordFile) {
        String keystorePassword() throws IOException {
            return Files.readString(Path.of(keystorePasswordFile)).strip();
        }

        String truststorePassword() throws IOException {
            return Files.readString(Path.of(truststorePasswordFile)).strip();
        }
    }

    /**
     * How to find and (optionally) start one workload.
     *
     * @param exeName        the process name (comm) of the tree's root, looked up in this
     *                       daemon's network namespace
     * @param pidFile        optional: a pid file naming the root (checked before exeName)
     * @param command        optional: argument list to start it (POST .../start); prefix it with
     *                       {@code unshare --pid --fork} to give it its own PID namespace
     * @param vipInterface   the interface that holds the virtual IP
     */
    public record WorkloadSpec(String exeName, String pidFile, List<String> command, String vipInterface) {
    }

    /** A daemon without VMs. */
    public DaemonConfig(String name, String listenAddress, int listenPort, Tls tls, Map<String, String> peers,
                        String criu, String imageRoot, long maxImageBytes, Map<String, WorkloadSpec> workloads,
                        GatewayConfig gateway) {
        this(name, listenAddress, listenPort, tls, peers, criu, imageRoot, maxImageBytes, workloads, gateway, null);
    }

    /** A daemon with the default page-server settings. */
    public DaemonConfig(String name, String listenAddress, int listenPort, Tls tls, Map<String, String> peers,
                        String criu, String imageRoot, long maxImageBytes, Map<String, WorkloadSpec> workloads,
                        GatewayConfig gateway, QemuConfig qemu) {
        this(name, listenAddress, listenPort, tls, peers, criu, imageRoot, maxImageBytes, workloads, gateway, qemu, null,
                null);
    }

    /** A daemon without the gateway role (the form before the gateway existed). */
    public DaemonConfig(String name, String listenAddress, int listenPort, Tls tls, Map<String, String> peers,
                        String criu, String imageRoot, long maxImageBytes, Map<String, WorkloadSpec> workloads) {
        this(name, listenAddress, listenPort, tls, peers, criu, imageRoot, maxImageBytes, workloads, null, null, null,
                null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public DaemonConfig {
        RequestNames.require("name", name);
        if (listenPort <= 0 || listenPort > 65535) {
            throw new IllegalArgumentException("listenPort must be 1..65535");
        }
        if (tls == null) {
            throw new IllegalArgumentException("tls is required");
        }
        peers = peers == null ? Map.of() : Map.copyOf(peers);
        peers.keySet().forEach(p -> RequestNames.require("peer name", p));
        workloads = workloads == null ? Map.of() : Map.copyOf(workloads);
        workloads.keySet().forEach(w -> RequestNames.require("workload name", w));
        if (workloads.containsKey(Rehearsal.WORKLOAD)) {
            throw new IllegalArgumentException("workload name " + Rehearsal.WORKLOAD + " is the daemon's own (its rehearsal"
                    + " at start): name the workload otherwise");
        }
        workloads.forEach((n, w) -> {
            if (w.exeName() == null && w.pidFile() == null) {
                throw new IllegalArgumentException("workload " + n + " needs exeName or pidFile");
            }
            RequestNames.require("workload " + n + " vipInterface", w.vipInterface());
        });
        if (qemu != null) {
            qemu.vms().keySet().stream().filter(workloads::containsKey).findFirst().ifPresent(n -> {
                throw new IllegalArgumentException("workload " + n + " is both a process and a VM");
            });
        }
        if (criu == null || criu.isBlank()) {
            criu = "criu";
        }
        if (imageRoot == null || imageRoot.isBlank()) {
            imageRoot = "/dev/shm/sm-daemon";
        }
        if (maxImageBytes <= 0) {
            maxImageBytes = 4L << 30;
        }
        if (pageServer == null) {
            pageServer = new PageServer(listenPort < 65535 ? listenPort + 1 : listenPort - 1, PAGE_SERVER_MIN_BYTES);
        }
        if (rehearse == null) {
            rehearse = true;
        }
    }

    public static DaemonConfig load(Path file) throws IOException {
        ObjectMapper m = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        try {
            return m.readValue(file.toFile(), DaemonConfig.class);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
