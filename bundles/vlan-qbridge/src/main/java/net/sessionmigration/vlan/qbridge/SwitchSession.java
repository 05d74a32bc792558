package net.sessionmigration.vlan.qbridge;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.event.ResponseListener;
import org.snmp4j.mp.PduHandle;
import org.snmp4j.smi.Address;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.MessageDispatcherImpl;

/**
 * One switch's SNMP engine: its own Snmp, transport, USM and explicit protocol set, so two
 * devices may use the same v3 user name with different secrets and nothing is global.
 * Thread-safe: requests from several threads share it.
 */
final class SwitchSession implements SnmpOps, AutoCloseable {
    private final DeviceProfile profile;
    private final SnmpCredential credential;
    private final Snmp snmp;
    private final Target<UdpAddress> target;
    /** Requests waiting for an answer, so a security report can fail them at once. */
    private final Map<ResponseListener, CompletableFuture<PDU>> pending = new ConcurrentHashMap<>();
    /** dot1dBasePort ↔ ifIndex, read once per session (cisco-vmvlan, port.index = ifIndex). */
    private final BridgePorts bridgePorts = new BridgePorts();

    SwitchSession(DeviceProfile profile, SnmpCredential credential) throws IOException {
        this.profile = profile;
        this.credential = credential;
        UdpAddress address = new UdpAddress(profile.address() + "/" + profile.port());
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        if (profile.version() == DeviceProfile.Version.V3) {
            if (credential.user() == null) {
                throw new IllegalArgumentException("device " + profile.name() + " is v3 but " + credential
                        + " has no user");
            }
            SecurityProtocols protocols = protocolsFor(credential);
            OctetString localEngineId = new OctetString(MPv3.createLocalEngineID());
            USM usm = new USM(protocols, localEngineId, 0);
            SecurityModels models = new SecurityModels();
            models.addSecurityModel(usm);
            dispatcher.addMessageProcessingModel(new MPv3(localEngineId.getValue(), null, protocols, models,
                    new CounterSupport()));
            usm.addUser(new UsmUser(new OctetString(credential.user()), authOid(credential.auth()),
                    secret(credential.authPassphrase()), privOid(credential.priv()), secret(credential.privPassphrase())));
            UserTarget<UdpAddress> user = new UserTarget<>();
            user.setAddress(address);
            user.setVersion(SnmpConstants.version3);
            user.setSecurityModel(SecurityModel.SECURITY_MODEL_USM);
            user.setSecurityName(new OctetString(credential.user()));
            user.setSecurityLevel(credential.auth() == SnmpCredential.AuthProtocol.NONE ? SecurityLevel.NOAUTH_NOPRIV
                    : credential.priv() == SnmpCredential.PrivProtocol.NONE ? SecurityLevel.AUTH_NOPRIV
                    : SecurityLevel.AUTH_PRIV);
            target = user;
        } else {
            if (credential.community() == null) {
                throw new IllegalArgumentException("device " + profile.name() + " is v2c but " + credential
                        + " has no community");
            }
            CommunityTarget<UdpAddress> community = new CommunityTarget<>(address, new OctetString(credential.community()));
            community.setVersion(SnmpConstants.version2c);
            target = community;
        }
        target.setTimeout(profile.timeout().toMillis());
        target.setRetries(profile.retries());
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
        snmp = new Snmp(dispatcher, transport);
        Snmp.ReportHandler standard = snmp.getReportHandler();
        snmp.setReportHandler(new Snmp.ReportHandler() {
            @Override
            public <A extends Address> void processReport(PduHandle handle, CommandResponderEvent<A> event) {
                if (!securityReport(event)) {
                    standard.processReport(handle, event);
                }
            }
        });
        transport.listen();
    }

    /**
     * RFC 3412 lets a manager drop an unauthenticated report for an authenticated request, and
     * SNMP4J does, so a wrong auth passphrase would look like a timeout. The agent's
     * usmStatsWrongDigests report is the only clue the operator gets: we take it (for this
     * switch's own engine only) to fail the outstanding request at once with the reason.
     */
    private boolean securityReport(CommandResponderEvent<?> event) {
        PDU pdu = event.getPDU();
        if (pdu == null || pdu.getType() != PDU.REPORT || pdu.size() != 1
                || !pdu.get(0).getOid().startsWith(QBridgeMib.USM_STATS)
                || QBridgeMib.USM_NOT_IN_TIME_WINDOWS.equals(pdu.get(0).getOid())
                || QBridgeMib.USM_UNKNOWN_ENGINE_IDS.equals(pdu.get(0).getOid())) {
            return false;
        }
        if (!pending.isEmpty()) {
            for (var entry : List.copyOf(pending.entrySet())) {
                entry.getValue().complete(pdu);
            }
            return true;
        }
        return false;
    }

    /** Exactly the protocols this credential needs, plus the SHA family; DES only when asked for. */
    static SecurityProtocols protocolsFor(SnmpCredential c) {
        SecurityProtocols p = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.maxSecurity);
        p.removeAll();
        p.addAuthenticationProtocol(new AuthSHA());
        p.addAuthenticationProtocol(new AuthHMAC128SHA224());
        p.addAuthenticationProtocol(new AuthHMAC192SHA256());
        p.addAuthenticationProtocol(new AuthHMAC256SHA384());
        p.addAuthenticationProtocol(new AuthHMAC384SHA512());
        if (c.auth() == SnmpCredential.AuthProtocol.MD5) {
            p.addAuthenticationProtocol(new AuthMD5());
        }
        p.addPrivacyProtocol(new PrivAES128());
        p.addPrivacyProtocol(new PrivAES192());
        p.addPrivacyProtocol(new PrivAES256());
        if (c.priv() == SnmpCredential.PrivProtocol.DES) {
            p.addPrivacyProtocol(new PrivDES());
        }
        return p;
    }

    static OID authOid(SnmpCredential.AuthProtocol a) {
        return switch (a) {
            case NONE -> null;
            case MD5 -> AuthMD5.ID;
            case SHA -> AuthSHA.ID;
            case SHA224 -> AuthHMAC128SHA224.ID;
            case SHA256 -> AuthHMAC192SHA256.ID;
            case SHA384 -> AuthHMAC256SHA384.ID;
            case SHA512 -> AuthHMAC384SHA512.ID;
        };
    }

    static OID privOid(SnmpCredential.PrivProtocol p) {
        return switch (p) {
            case NONE -> null;
            case DES -> PrivDES.ID;
            case AES128 -> PrivAES128.ID;
            case AES192 -> PrivAES192.ID;
            case AES256 -> PrivAES256.ID;
        };
    }

    private static OctetString secret(String s) {
        return s == null ? null : new OctetString(s);
    }

    @Override
    public DeviceProfile profile() {
        return profile;
    }

    @Override
    public BridgePorts bridgePorts() {
        return bridgePorts;
    }

    SnmpCredential credential() {
        return credential;
    }

    PDU newPdu(int type) {
        PDU pdu = profile.version() == DeviceProfile.Version.V3 ? new ScopedPDU() : new PDU();
        pdu.setType(type);
        return pdu;
    }

    /** GET; the answer's varbinds in request order (exceptions such as noSuchInstance included). */
    @Override
    public List<VariableBinding> get(List<OID> oids) throws SnmpFailure {
        PDU pdu = newPdu(PDU.GET);
        for (OID oid : oids) {
            pdu.add(new VariableBinding(oid));
        }
        return exchange(pdu, i -> SnmpFailure.varbindText(pdu.getVariableBindings(), i));
    }

    @Override
    public List<VariableBinding> getBulk(OID oid, int maxRepetitions) throws SnmpFailure {
        PDU pdu = newPdu(PDU.GETBULK);
        pdu.setNonRepeaters(0);
        pdu.setMaxRepetitions(maxRepetitions);
        pdu.add(new VariableBinding(oid));
        return exchange(pdu, i -> SnmpFailure.varbindText(pdu.getVariableBindings(), i));
    }

    /** SET of these varbinds in one PDU. */
    @Override
    public void set(List<VariableBinding> vbs, IntFunction<String> describer) throws SnmpFailure {
        PDU pdu = newPdu(PDU.SET);
        pdu.addAll(vbs);
        exchange(pdu, describer);
    }

    private List<VariableBinding> exchange(PDU pdu, IntFunction<String> describer) throws SnmpFailure {
        CompletableFuture<PDU> answer = new CompletableFuture<>();
        ResponseListener listener = new ResponseListener() {
            @Override
            public <A extends Address> void onResponse(ResponseEvent<A> event) {
                ((Snmp) event.getSource()).cancel(event.getRequest(), this);
                if (event.getResponse() != null) {
                    answer.complete(event.getResponse());
                } else if (event.getError() != null) {
                    answer.completeExceptionally(event.getError());
                } else {
                    answer.complete(null);
                }
            }
        };
        pending.put(listener, answer);
        PDU response;
        try {
            snmp.send(pdu, target, null, listener);
            // SNMP4J always answers a listener (response or timeout); the bound is a safety net
            long bound = profile.timeout().toMillis() * (profile.retries() + 1L) * 2 + 2000;
            response = answer.get(bound, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            throw new SnmpFailure(SnmpFailure.Kind.TRANSPORT, 0, profile.name() + " (" + profile.target() + "): "
                    + "cannot send: " + e.getMessage());
        } catch (ExecutionException e) {
            throw new SnmpFailure(SnmpFailure.Kind.SECURITY, 0, profile.name() + " (" + profile.target() + "): "
                    + e.getCause().getMessage());
        } catch (TimeoutException e) {
            response = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SnmpFailure(SnmpFailure.Kind.TRANSPORT, 0, profile.name() + ": interrupted");
        } finally {
            pending.remove(listener);
            snmp.cancel(pdu, listener);
        }
        if (response == null) {
            throw SnmpFailure.timeout(profile.name(), profile.target(), profile.timeout().toMillis(), profile.retries());
        }
        SnmpFailure failure = SnmpFailure.classify(profile.name(), profile.target(), credential.user(), response, describer);
        if (failure != null) {
            throw failure;
        }
        return new ArrayList<>(response.getVariableBindings());
    }

    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            // closing a UDP socket: nothing to tell the operator
        }
    }

}
