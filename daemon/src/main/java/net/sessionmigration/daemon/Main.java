package net.sessionmigration.daemon;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.ConsoleHandler;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

import javax.net.ssl.SSLContext;

import net.sessionmigration.daemon.protocol.MutualTls;

/** {@code java -jar sm-daemon-exec.jar CONFIG.json}: run inside the server's network namespace. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        // The JDK's HTTPS server resolves every client's address to a name (SSLStreams calls
        // getHostName()). Inside a server namespace with a route but no reachable DNS that is a
        // 5 s wait per connection. The daemon needs no names: an empty hosts file, no DNS.
        // The JDK server writes headers and body separately; without TCP_NODELAY every answer
        // waits for the client's delayed ACK (~40 ms per call, five calls per migration).
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // criu is started inside the freeze window: vfork+exec is the cheapest start the JDK has.
        if (System.getProperty("jdk.lang.Process.launchMechanism") == null) {
            System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
        }
        // Reflection (Jackson on the request and answer records) generates a method's fast
        // accessor at its 16th call, which fell inside the second and fifth migrations' freezes
        // (6-8 classes each, lab/bench/back-and-forth --class-loads); at the first call it happens
        // in the rehearsal at start.
        if (System.getProperty("sun.reflect.noInflation") == null) {
            System.setProperty("sun.reflect.noInflation", "true");
        }
        if (System.getProperty("jdk.net.hosts.file") == null) {
            System.setProperty("jdk.net.hosts.file", "/dev/null");
        }
        if (args.length != 1) {
            System.err.println("usage: sm-daemon CONFIG.json");
            System.exit(2);
        }
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        for (var h : root.getHandlers()) {
            h.setFormatter(new SimpleFormatter());
        }
        DaemonConfig config = DaemonConfig.load(Path.of(args[0]));
        // Restored and started trees are re-parented to us, so we can reap them (a zombie
        // holding a pid makes a later restore of that pid fail).
        ProcessTree.becomeSubreaper();
        ProcessTree.startOrphanReaper();
        SSLContext ssl = MutualTls.sslContext(Path.of(config.tls().keystore()), config.tls().keystorePassword().toCharArray(),
                Path.of(config.tls().truststore()), config.tls().truststorePassword().toCharArray());
        // the rehearsal at start migrates a tiny process to this daemon itself: its own peer, under its name
        Optional<String> selfUrl = Rehearsal.selfUrl(config);
        Map<String, String> peers = new HashMap<>(config.peers());
        selfUrl.ifPresent(url -> peers.putIfAbsent(config.name(), url));
        MigrationService service = new MigrationService(config, new Criu(config.criu()), new VirtualIpControl(),
                new PeerClient(ssl, peers));
        int orphans = service.removeOrphanImages();
        if (orphans > 0) {
            Logger.getLogger("sm-daemon").warning("removed " + orphans + " image director"
                    + (orphans == 1 ? "y" : "ies") + " left by a previous run under " + config.imageRoot());
        }
        // a daemon that ends says so (SIGTERM, SIGINT or an exit; a SIGKILL or a crash of the JVM leaves no line):
        // straight to stderr, the log, as java.util.logging may already be shut down in a shutdown hook
        Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS) + " INFO daemon " + config.name()
                        + " stopping (pid " + ProcessHandle.current().pid() + ")"), "sm-daemon-stopping"));
        // the PEM copy of this daemon's key for CRIU's TLS (written at warm-up) goes with the daemon
        Runtime.getRuntime().addShutdownHook(new Thread(service::removeCriuTls, "sm-daemon-criu-tls"));
        GatewayService gateway = config.gateway() == null ? null : GatewayService.open(config);
        VmBackend vms = config.qemu() == null ? null : VmBackend.open(config, new PeerClient(ssl, config.peers()));
        if (vms != null) {
            // stopping the daemon stops its QEMUs: no VM is left running unmanaged
            Runtime.getRuntime().addShutdownHook(new Thread(vms::close, "sm-daemon-vm-stop"));
        }
        // the highest coordinator epoch seen, beside the images (a restart must not forget it)
        EpochFence fence = EpochFence.keptIn(Path.of(config.imageRoot()));
        ControlServer server = new ControlServer(new InetSocketAddress(config.listenAddress(), config.listenPort()), ssl,
                service, gateway, vms, fence);
        // from here until it ends, real migrations wait for the rehearsal
        Optional<Rehearsal> rehearsal = Rehearsal.prepare(service, ssl, selfUrl, fence::highest);
        server.start();
        Thread warm = new Thread(() -> {
            try {
                new ProbeService().warmUp(config.listenAddress(), server.port());
                if (!config.workloads().isEmpty()) {
                    PerfHooks.keepOn();
                    service.warmUpCriu();
                }
            } finally {
                rehearsal.ifPresent(Rehearsal::run); // which lets real requests through, whatever happens
            }
            if (!config.workloads().isEmpty()) {
                service.warmUpPeers();
            }
        }, "sm-daemon-warm-up");
        warm.setDaemon(true);
        warm.start();
        Logger.getLogger("sm-daemon").info("daemon " + config.name() + " listening on " + config.listenAddress() + ":"
                + server.port() + " (mTLS), workloads " + config.workloads().keySet()
                + (gateway == null ? "" : ", gateway " + gateway.mode())
                + (vms == null ? "" : ", VMs " + config.qemu().vms().keySet() + " (" + vms.accelerator().accelerator() + ")")
                + ", coordinator epoch " + fence.highest());
        Thread.currentThread().join();
    }
}
