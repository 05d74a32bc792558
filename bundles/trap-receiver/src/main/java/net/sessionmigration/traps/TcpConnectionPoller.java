package net.sessionmigration.traps;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;

import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.util.DefaultPDUFactory;
import org.snmp4j.util.TreeEvent;
import org.snmp4j.util.TreeUtils;

/**
 * Counts the users connected to a service through an agent's TCP-MIB: ESTABLISHED rows of
 * tcpConnectionTable (RFC 4022, IPv4 and IPv6) or of the older IPv4-only tcpConnTable whose local
 * address is the virtual IP and local port the service port. Own Snmp session and USM per poller.
 */
public final class TcpConnectionPoller implements AutoCloseable {
    /** tcpConnectionState; index: localAddressType, localAddress (length-prefixed), localPort, remote type, address, port. */
    static final OID TCP_CONNECTION_STATE = new OID("1.3.6.1.2.1.6.19.1.7");
    /** tcpConnState; index: localAddress (4), localPort, remAddress (4), remPort. */
    static final OID TCP_CONN_STATE = new OID("1.3.6.1.2.1.6.13.1.1");
    static final int ESTABLISHED = 5;

    private final LoadRule.PollSource source;
    private final Snmp snmp;
    private final Target<Address> target;

    public TcpConnectionPoller(LoadRule.PollSource source) throws IOException {
        this.source = source;
        SecurityProtocols protocols = UsmUserSpec.baseProtocols();
        CounterSupport counters = new CounterSupport();
        byte[] engineId = MPv3.createLocalEngineID(new OctetString("sm-poll-" + Long.toHexString(System.nanoTime())));
        USM usm = new USM(protocols, new OctetString(engineId), 0, counters);
        usm.setEngineDiscoveryEnabled(true);
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new MPv3(engineId, null, protocols,
                SecurityModels.getCollection(new SecurityModel[]{usm}), counters));
        this.snmp = new Snmp(dispatcher, new DefaultUdpTransportMapping());
        Address agent = new UdpAddress(InetAddress.getByName(ConfigReader.normaliseIp(source.agentAddress())),
                source.agentPort());
        if (source.user().isPresent()) {
            UsmUserSpec user = source.user().get();
            user.registerProtocols(protocols);
            usm.addUser(user.toUsmUser(UsmUser.LocalizationGrant.outgoing));
            UserTarget<Address> t = new UserTarget<>();
            t.setSecurityName(new OctetString(user.user()));
            t.setSecurityLevel(user.securityLevel());
            t.setVersion(SnmpConstants.version3);
            target = t;
        } else {
            CommunityTarget<Address> t = new CommunityTarget<>();
            t.setCommunity(new OctetString(source.community().orElse("")));
            t.setVersion(SnmpConstants.version2c);
            target = t;
        }
        target.setAddress(agent);
        target.setTimeout(source.timeout().toMillis());
        target.setRetries(source.retries());
        snmp.listen();
    }

    /**
     * Counts established connections to {@code virtualIp}:{@code servicePort}; throws with the agent's error.
     * {@code auto}: tcpConnectionTable when the agent has it, else the IPv4-only tcpConnTable. The newer
     * table is preferred because a dual-stack server (any Java one) shows its IPv4 users as IPv4-mapped
     * IPv6 addresses ({@code ::ffff:a.b.c.d}), which only it lists. Net-SNMP caches it for 60 s by
     * default (nsCacheTimeout), tcpConnTable for 5 s.
     */
    public int count(String virtualIp) throws IOException {
        byte[] vip = InetAddress.getByName(ConfigReader.normaliseIp(virtualIp)).getAddress();
        LoadRule.Table table = source.table();
        if (table != LoadRule.Table.TCP_CONN_TABLE) {
            List<VariableBinding> rows = walk(TCP_CONNECTION_STATE);
            if (!rows.isEmpty() || table == LoadRule.Table.TCP_CONNECTION_TABLE || vip.length != 4) {
                return countConnectionTable(rows, vip, source.servicePort());
            }
        }
        return countConnTable(walk(TCP_CONN_STATE), vip, source.servicePort());
    }

    static int countConnectionTable(List<VariableBinding> rows, byte[] vip, int port) {
        byte[] mapped = null;
        if (vip.length == 4) {
            mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(vip, 0, mapped, 12, 4);
        }
        int n = 0;
        int base = TCP_CONNECTION_STATE.size();
        for (VariableBinding vb : rows) {
            int[] idx = Arrays.copyOfRange(vb.getOid().getValue(), base, vb.getOid().size());
            if (idx.length < 3 || stateOf(vb) != ESTABLISHED) {
                continue;
            }
            int len = idx[1];
            if (idx.length < 2 + len + 1 || idx[2 + len] != port) {
                continue;
            }
            if (sameAddress(idx, 2, len, vip) || (mapped != null && sameAddress(idx, 2, len, mapped))) {
                n++;
            }
        }
        return n;
    }

    private static boolean sameAddress(int[] idx, int from, int len, byte[] address) {
        if (len != address.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (idx[from + i] != (address[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    static int countConnTable(List<VariableBinding> rows, byte[] vip, int port) {
        int n = 0;
        int base = TCP_CONN_STATE.size();
        for (VariableBinding vb : rows) {
            int[] idx = Arrays.copyOfRange(vb.getOid().getValue(), base, vb.getOid().size());
            if (idx.length != 10 || vip.length != 4 || stateOf(vb) != ESTABLISHED) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < 4; i++) {
                same &= idx[i] == (vip[i] & 0xff);
            }
            if (same && idx[4] == port) {
                n++;
            }
        }
        return n;
    }

    private static int stateOf(VariableBinding vb) {
        return vb.getVariable() instanceof Integer32 i ? i.getValue() : -1;
    }

    private List<VariableBinding> walk(OID column) throws IOException {
        TreeUtils tree = new TreeUtils(snmp, new DefaultPDUFactory(PDU.GETBULK));
        tree.setMaxRepetitions(50);
        List<TreeEvent> events = tree.getSubtree(target, column);
        List<VariableBinding> out = new java.util.ArrayList<>();
        for (TreeEvent e : events) {
            if (e == null) {
                continue;
            }
            if (e.isError()) {
                throw new IOException("walking " + column + " at " + source.agentAddress() + "/" + source.agentPort()
                        + ": " + e.getErrorMessage());
            }
            VariableBinding[] vbs = e.getVariableBindings();
            if (vbs != null) {
                for (VariableBinding vb : vbs) {
                    if (vb != null && vb.getOid().startsWith(column) && !vb.isException()) {
                        out.add(vb);
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            // closing a UDP socket: nothing to tell
        }
    }
}
