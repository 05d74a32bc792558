package net.sessionmigration.traps;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.PDUv1;
import org.snmp4j.Snmp;
import org.snmp4j.TransportMapping;
import org.snmp4j.TransportStateReference;
import org.snmp4j.event.CounterEvent;
import org.snmp4j.event.CounterListener;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.mp.StatusInformation;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * The SNMP side, as in OpenNMS trapd: the SNMP4J listener thread only decodes, counts, checks
 * the community, acknowledges INFORMs and offers the trap to a bounded queue (a full queue drops
 * and counts); one handler thread takes from the queue and calls the consumer (the rule engine).
 *
 * <p>Each receiver has its own dispatcher, USM, security-protocol set and counter support, so
 * nothing goes through SNMP4J's process-wide singletons (several bundles share one JVM in Karaf).
 * USM users are non-localised and granted localisation for incoming messages, so a v3 trap sent
 * with the sender's own engine ID (the normal case for traps) is accepted for any engine, and an
 * INFORM (sent to our engine ID after discovery) too.
 */
public final class TrapReceiver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TrapReceiver.class);
    static final OID SNMP_TRAP_OID = SnmpConstants.snmpTrapOID;
    static final OID SYS_UPTIME = SnmpConstants.sysUpTime;

    /**
     * @param communities v1/v2c communities accepted; empty means v1 and v2c are refused (counted as auth failures)
     */
    public record Settings(String address, int port, int queueCapacity, List<String> communities) {
        public Settings {
            communities = List.copyOf(communities);
        }

        @Override
        public String toString() {
            return "udp:" + address + "/" + port + ", queue " + queueCapacity + ", " + communities.size() + " communities";
        }
    }

    private final Settings settings;
    private final TrapCounters counters;
    private final Consumer<ReceivedTrap> handler;
    private final BlockingQueue<ReceivedTrap> queue;
    private final List<byte[]> communities;
    private final SecurityProtocols protocols = UsmUserSpec.baseProtocols();
    private final CounterSupport counterSupport = new CounterSupport();
    private final USM usm;
    private final Map<String, UsmUserSpec> users = new LinkedHashMap<>();
    private volatile String listening = "not started";
    private volatile int boundPort;
    private volatile Snmp snmp;
    private volatile Thread handlerThread;
    private volatile boolean closed;
    /** The version of the datagram being dispatched; written and read on the single listen thread. */
    private SnmpVersion current = SnmpVersion.UNKNOWN;
    /** Whether the datagram being dispatched has its final outcome (or is queued); listen thread only. */
    private boolean settled;

    public TrapReceiver(Settings settings, TrapCounters counters, Consumer<ReceivedTrap> handler) {
        this.settings = settings;
        this.counters = counters;
        this.handler = handler;
        this.queue = new ArrayBlockingQueue<>(settings.queueCapacity());
        this.communities = settings.communities().stream().map(c -> c.getBytes(StandardCharsets.UTF_8)).toList();
        byte[] engineId = MPv3.createLocalEngineID(new OctetString("sm-traps-" + Long.toHexString(System.nanoTime())));
        this.usm = new USM(protocols, new OctetString(engineId), 0, counterSupport);
        // engine-ID discovery lets the time table accept the engine IDs that trap senders bring
        this.usm.setEngineDiscoveryEnabled(true);
        counterSupport.addCounterListener(new Counting());
    }

    /** Binds and starts the listen and handler threads; on failure the reason is in {@link #listening()}. */
    public synchronized boolean start() {
        String where = "udp:" + settings.address() + "/" + settings.port();
        DefaultUdpTransportMapping transport;
        try {
            transport = new DefaultUdpTransportMapping(new UdpAddress(InetAddress.getByName(
                    ConfigReader.normaliseIp(settings.address())), settings.port()), false);
        } catch (IOException | IllegalArgumentException e) {
            listening = "NOT listening: cannot bind UDP " + settings.address() + " port " + settings.port() + ": "
                    + e.getMessage()
                    + (settings.port() < 1024 ? " (ports below 1024 need root or CAP_NET_BIND_SERVICE)" : "");
            LOG.error("SNMP trap receiver {}", listening);
            return false;
        }
        transport.setReceiveBufferSize(4 * 1024 * 1024);
        CountingDispatcher dispatcher = new CountingDispatcher();
        dispatcher.addMessageProcessingModel(new MPv1());
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new MPv3(usm.getLocalEngineID().getValue(), null, protocols,
                SecurityModels.getCollection(new SecurityModel[]{usm}), counterSupport));
        dispatcher.addCounterListener(new Counting());
        Snmp s = new Snmp(dispatcher, transport);
        s.addCommandResponder(new Listener());
        Thread t = new Thread(this::drain, "sm-trap-handler-" + settings.port());
        t.setDaemon(true);
        handlerThread = t;
        t.start();
        try {
            s.listen();
        } catch (IOException e) {
            listening = "NOT listening: UDP " + settings.address() + " port " + settings.port() + ": " + e.getMessage();
            LOG.error("SNMP trap receiver {}", listening);
            closeQuietly(s);
            return false;
        }
        snmp = s;
        int bound = ((UdpAddress) transport.getListenAddress()).getPort();
        boundPort = bound;
        listening = "listening on udp:" + settings.address() + "/" + bound;
        LOG.info("SNMP trap receiver {} (queue {}, {} v1/v2c communities, {} v3 users)", listening,
                settings.queueCapacity(), communities.size(), users.size());
        return true;
    }

    public String listening() {
        return listening;
    }

    /** The UDP port actually bound (settings port 0 picks a free one), 0 when not listening. */
    public int port() {
        return boundPort;
    }

    public int queueDepth() {
        return queue.size();
    }

    public int queueCapacity() {
        return settings.queueCapacity();
    }

    /** The local engine ID (hex), which INFORM senders discover. */
    public String engineId() {
        return usm.getLocalEngineID().toHexString();
    }

    /** Adds or replaces a v3 user; works while listening. */
    public synchronized void putUser(String key, UsmUserSpec spec) {
        removeUser(key);
        spec.registerProtocols(protocols);
        usm.addUser(spec.toUsmUser(UsmUser.LocalizationGrant.incoming));
        users.put(key, spec);
        if (spec.authProtocol().isEmpty()) {
            LOG.warn("SNMP trap receiver: v3 user '{}' is noAuthNoPriv: anyone who knows the name can trigger rules", spec.user());
        }
        LOG.info("SNMP trap receiver: v3 user {} configured", spec);
    }

    public synchronized void removeUser(String key) {
        UsmUserSpec old = users.remove(key);
        if (old != null) {
            // drops the non-localised entry and every key localised from it
            usm.removeAllUsers(new OctetString(old.user()));
        }
    }

    private void drain() {
        while (!closed) {
            ReceivedTrap trap;
            try {
                trap = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                handler.accept(trap);
            } catch (RuntimeException e) {
                LOG.error("trap handler failed on a trap from {}: {}", trap.source(), e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        Snmp s = snmp;
        snmp = null;
        if (s != null) {
            closeQuietly(s);
        }
        Thread t = handlerThread;
        if (t != null) {
            t.interrupt();
        }
        listening = "stopped";
    }

    private static void closeQuietly(Snmp s) {
        try {
            s.close();
        } catch (IOException | RuntimeException e) {
            LOG.debug("closing SNMP session: {}", e.toString());
        }
    }

    /** Peeks the version of each datagram so that parse and security errors are counted under it; contains every exception. */
    private final class CountingDispatcher extends MessageDispatcherImpl {
        @Override
        public <A extends Address> void processMessage(TransportMapping<? super A> sourceTransport, A incomingAddress,
                                                       ByteBuffer wholeMessage, TransportStateReference tmStateReference) {
            current = peekVersion(wholeMessage.duplicate());
            settled = false;
            try {
                super.processMessage(sourceTransport, incomingAddress, wholeMessage, tmStateReference);
            } catch (RuntimeException | Error e) {
                settle(current, TrapOutcome.MALFORMED);
                LOG.debug("undecodable datagram from {}: {}", incomingAddress, e.toString());
            }
            // SNMP4J drops some bad messages (a truncated v3 message, an unsolicited response) without an event
            settle(current, TrapOutcome.MALFORMED);
        }
    }

    /**
     * Counts the final outcome of the datagram being dispatched, once: a datagram that raises several
     * SNMP4J events, or none, is still counted exactly once. Listen thread only.
     */
    private void settle(SnmpVersion version, TrapOutcome outcome) {
        if (!settled) {
            settled = true;
            counters.increment(version, outcome);
        }
    }

    /** Reads the version INTEGER of an SNMP message's outer SEQUENCE without decoding the rest. */
    static SnmpVersion peekVersion(ByteBuffer b) {
        try {
            if ((b.get() & 0xff) != 0x30) {
                return SnmpVersion.UNKNOWN;
            }
            int len = b.get() & 0xff;
            if (len > 0x80) {
                b.position(b.position() + (len & 0x7f));
            }
            if (b.get() != 0x02 || b.get() != 0x01) {
                return SnmpVersion.UNKNOWN;
            }
            return SnmpVersion.fromWire(b.get());
        } catch (RuntimeException e) {
            return SnmpVersion.UNKNOWN;
        }
    }

    /** Maps SNMP4J's counter events (dispatcher, MPv3, USM) to our outcomes. */
    private final class Counting implements CounterListener {
        @Override
        public void incrementCounter(CounterEvent event) {
            OID oid = event.getOid();
            if (oid == null) {
                return;
            }
            if (oid.equals(SnmpConstants.snmpInASNParseErrs) && event.getSource() instanceof MPv3) {
                // MPv3 counts this only for a scoped PDU that fails to decode after USM accepted the message:
                // authentication passed, so the plaintext is garbage because the privacy key is wrong
                settle(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES);
            } else if (oid.equals(SnmpConstants.snmpInASNParseErrs) || oid.equals(SnmpConstants.snmpInvalidMsgs)
                    || oid.equals(SnmpConstants.snmpInBadVersions) || oid.equals(SnmpConstants.snmpUnknownSecurityModels)
                    || oid.equals(SnmpConstants.snmpUnknownPDUHandlers)) {
                settle(current, TrapOutcome.MALFORMED);
            } else if (oid.equals(SnmpConstants.usmStatsUnknownUserNames) || oid.equals(SnmpConstants.usmStatsWrongDigests)
                    || oid.equals(SnmpConstants.usmStatsDecryptionErrors)
                    || oid.equals(SnmpConstants.usmStatsUnsupportedSecLevels)) {
                settle(SnmpVersion.V3, TrapOutcome.AUTH_FAILURES);
            } else if (oid.equals(SnmpConstants.usmStatsUnknownEngineIDs)
                    || oid.equals(SnmpConstants.usmStatsNotInTimeWindows)) {
                // the normal discovery steps of an INFORM sender: answered with a report, nothing to do
                settle(SnmpVersion.V3, TrapOutcome.IGNORED);
            }
        }
    }

    private final class Listener implements CommandResponder {
        @Override
        public <A extends Address> void processPdu(CommandResponderEvent<A> event) {
            long t0 = System.nanoTime();
            event.setProcessed(true);
            SnmpVersion version = SnmpVersion.fromWire(event.getMessageProcessingModel());
            counters.increment(version, TrapOutcome.RECEIVED);
            try {
                handle(event, version, t0);
            } catch (RuntimeException e) {
                settle(version, TrapOutcome.MALFORMED);
                LOG.debug("could not handle a PDU from {}: {}", event.getPeerAddress(), e.toString());
            }
        }

        private <A extends Address> void handle(CommandResponderEvent<A> event, SnmpVersion version, long t0) {
            if (version != SnmpVersion.V3 && !communityAccepted(event.getSecurityName())) {
                settle(version, TrapOutcome.AUTH_FAILURES);
                return;
            }
            PDU pdu = event.getPDU();
            if (pdu == null) {
                settle(version, TrapOutcome.MALFORMED);
                return;
            }
            int type = pdu.getType();
            boolean inform = type == PDU.INFORM;
            if (!(inform || type == PDU.TRAP || type == PDU.V1TRAP)) {
                // a GET or SET sent to the trap port: we are no agent
                settle(version, TrapOutcome.IGNORED);
                return;
            }
            Optional<ReceivedTrap> trap = decode(pdu, version, event.getPeerAddress(), inform, t0);
            if (trap.isEmpty()) {
                settle(version, TrapOutcome.MALFORMED);
                return;
            }
            if (!queue.offer(trap.get())) {
                // no ack: the INFORM sender retries, which is what an acknowledged notification is for
                settle(version, TrapOutcome.QUEUE_DROPS);
                return;
            }
            settled = true; // the handler counts it as matched, duplicate or ignored
            if (inform) {
                acknowledge(event, pdu, version);
            }
        }

        private boolean communityAccepted(byte[] community) {
            boolean ok = false;
            for (byte[] c : communities) {
                ok |= MessageDigest.isEqual(c, community); // constant time, no early exit
            }
            return ok;
        }

        private <A extends Address> void acknowledge(CommandResponderEvent<A> event, PDU pdu, SnmpVersion version) {
            PDU response = (PDU) pdu.clone();
            response.setType(PDU.RESPONSE);
            response.setErrorStatus(PDU.noError);
            response.setErrorIndex(0);
            try {
                event.getMessageDispatcher().returnResponsePdu(event.getMessageProcessingModel(),
                        event.getSecurityModel(), event.getSecurityName(), event.getSecurityLevel(), response,
                        event.getMaxSizeResponsePDU(), event.getStateReference(), new StatusInformation());
                counters.increment(version, TrapOutcome.INFORMS_ACKED);
            } catch (Exception e) {
                LOG.debug("could not acknowledge an INFORM from {}: {}", event.getPeerAddress(), e.toString());
            }
        }
    }

    /** The trap as strings, or empty when a v2c/v3 notification lacks snmpTrapOID.0. */
    static Optional<ReceivedTrap> decode(PDU pdu, SnmpVersion version, Address peer, boolean inform, long t0) {
        String source = "";
        int port = 0;
        if (peer instanceof UdpAddress udp) {
            source = udp.getInetAddress().getHostAddress();
            port = udp.getPort();
        }
        Map<String, String> varbinds = new LinkedHashMap<>();
        String trapOid = null;
        Optional<String> alt = Optional.empty();
        for (VariableBinding vb : pdu.getVariableBindings()) {
            if (vb.getOid().equals(SNMP_TRAP_OID)) {
                trapOid = vb.getVariable() instanceof OID o ? o.toDottedString() : null;
                if (trapOid == null) {
                    return Optional.empty();
                }
            } else if (!vb.getOid().equals(SYS_UPTIME)) {
                varbinds.put(vb.getOid().toDottedString(), valueText(vb));
            }
        }
        if (pdu instanceof PDUv1 v1) {
            int generic = v1.getGenericTrap();
            if (generic == PDUv1.ENTERPRISE_SPECIFIC) {
                String enterprise = v1.getEnterprise().toDottedString();
                trapOid = enterprise + ".0." + v1.getSpecificTrap();
                alt = Optional.of(enterprise + "." + v1.getSpecificTrap());
            } else if (generic >= 0 && generic <= 5) {
                trapOid = "1.3.6.1.6.3.1.1.5." + (generic + 1);
            } else {
                return Optional.empty();
            }
        }
        if (trapOid == null) {
            return Optional.empty();
        }
        return Optional.of(new ReceivedTrap(version, source, port, trapOid, alt, varbinds, inform, t0));
    }

    private static String valueText(VariableBinding vb) {
        if (vb.getVariable() instanceof OID o) {
            return o.toDottedString();
        }
        return vb.getVariable().toString();
    }
}
