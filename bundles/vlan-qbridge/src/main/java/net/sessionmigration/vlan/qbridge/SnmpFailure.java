package net.sessionmigration.vlan.qbridge;

import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.snmp4j.PDU;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.VariableBinding;

/**
 * Why one SNMP exchange with one switch failed, classified, with an operator's sentence.
 * The text names the switch and, for an error-status answer, the varbind (mapped back to the
 * plan's port by the caller's describer). Never carries a secret.
 */
public final class SnmpFailure extends Exception {

    public enum Kind {
        TIMEOUT("timeout"),
        AUTHENTICATION("authentication failure"),
        UNKNOWN_USER("unknown user"),
        SECURITY("security error"),
        NO_SUCH_NAME("noSuchName"),
        NOT_WRITABLE("notWritable"),
        WRONG_VALUE("wrongValue"),
        WRONG_TYPE("wrongType"),
        NO_CREATION("noCreation"),
        INCONSISTENT("inconsistentValue"),
        AGENT_ERROR("agent error"),
        /** Not sent: the coordinator may no longer change devices (a deposed cluster leader). */
        FENCED("fenced"),
        TRANSPORT("transport error");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    static final String NO_ANSWER = "no answer — check address, community or privacy password";

    private final Kind kind;
    /** 1-based index of the failing varbind in the request, 0 if the failure is about the whole PDU. */
    private final int errorIndex;

    SnmpFailure(Kind kind, int errorIndex, String message) {
        super(message);
        this.kind = kind;
        this.errorIndex = errorIndex;
    }

    public Kind kind() {
        return kind;
    }

    public int errorIndex() {
        return errorIndex;
    }

    /** A failure with no answer at all. */
    static SnmpFailure timeout(String device, String target, long timeoutMillis, int retries) {
        return new SnmpFailure(Kind.TIMEOUT, 0, device + " (" + target + "): timeout: " + NO_ANSWER
                + " (" + (retries + 1) + " × " + timeoutMillis + " ms)");
    }

    private static final OID USM_UNSUPPORTED_SEC_LEVELS = new OID("1.3.6.1.6.3.15.1.1.1.0");
    private static final OID USM_NOT_IN_TIME_WINDOWS = new OID("1.3.6.1.6.3.15.1.1.2.0");
    private static final OID USM_UNKNOWN_USER_NAMES = new OID("1.3.6.1.6.3.15.1.1.3.0");
    private static final OID USM_UNKNOWN_ENGINE_IDS = new OID("1.3.6.1.6.3.15.1.1.4.0");
    private static final OID USM_WRONG_DIGESTS = new OID("1.3.6.1.6.3.15.1.1.5.0");
    private static final OID USM_DECRYPTION_ERRORS = new OID("1.3.6.1.6.3.15.1.1.6.0");

    private static final Map<OID, String> REPORT_NAMES = Map.of(
            USM_UNSUPPORTED_SEC_LEVELS, "usmStatsUnsupportedSecLevels",
            USM_NOT_IN_TIME_WINDOWS, "usmStatsNotInTimeWindows",
            USM_UNKNOWN_USER_NAMES, "usmStatsUnknownUserNames",
            USM_UNKNOWN_ENGINE_IDS, "usmStatsUnknownEngineIDs",
            USM_WRONG_DIGESTS, "usmStatsWrongDigests",
            USM_DECRYPTION_ERRORS, "usmStatsDecryptionErrors");

    /**
     * Classifies an answer; returns null when it is a good response.
     *
     * @param describer says what varbind i (1-based) of the request was, e.g. "port 3 (dot1qPvid.3 = 2)" or
     *                  "port Gi1/0/3 (ifIndex 10103) (vmVlan.10103 = 2)"
     */
    static SnmpFailure classify(String device, String target, String user, PDU response, IntFunction<String> describer) {
        String who = device + " (" + target + ")";
        if (response.getType() == PDU.REPORT) {
            OID reported = response.size() > 0 ? response.get(0).getOid() : new OID();
            String counter = REPORT_NAMES.getOrDefault(reported, "report " + reported);
            if (reported.equals(USM_WRONG_DIGESTS)) {
                return new SnmpFailure(Kind.AUTHENTICATION, 0, who + ": authentication failure: the switch reported "
                        + counter + " — wrong auth passphrase or auth protocol for user " + user);
            }
            if (reported.equals(USM_UNKNOWN_USER_NAMES)) {
                return new SnmpFailure(Kind.UNKNOWN_USER, 0, who + ": unknown user: the switch reported " + counter
                        + " — user " + user + " is not configured on the switch");
            }
            if (reported.equals(USM_DECRYPTION_ERRORS)) {
                return new SnmpFailure(Kind.SECURITY, 0, who + ": decryption error: the switch reported " + counter
                        + " — wrong privacy passphrase or privacy protocol for user " + user);
            }
            if (reported.equals(USM_UNSUPPORTED_SEC_LEVELS)) {
                return new SnmpFailure(Kind.SECURITY, 0, who + ": unsupported security level: the switch reported "
                        + counter + " — user " + user + " is not configured for this auth/priv level");
            }
            return new SnmpFailure(Kind.SECURITY, 0, who + ": security error: the switch reported " + counter);
        }
        int status = response.getErrorStatus();
        if (status == PDU.noError) {
            return null;
        }
        int index = response.getErrorIndex();
        String what = index > 0 ? describer.apply(index) : "the request";
        Kind kind;
        String hint;
        switch (status) {
            case PDU.noSuchName -> {
                kind = Kind.NO_SUCH_NAME;
                hint = what.contains("vmVlan") ? "the switch does not have this object (no such ifIndex, not an access"
                        + " port, or no CISCO-VLAN-MEMBERSHIP-MIB)"
                        : "the switch does not have this object (no such port or no Q-BRIDGE-MIB)";
            }
            case PDU.notWritable, PDU.readOnly, PDU.noAccess, PDU.authorizationError -> {
                kind = Kind.NOT_WRITABLE;
                hint = "the switch refuses to write it (read-only view or credential without write access)";
            }
            case PDU.wrongValue -> {
                kind = Kind.WRONG_VALUE;
                hint = what.contains("dot1qPvid") || what.contains("vmVlan") ? "the VLAN does not exist on the switch"
                        : "the switch refused the value";
            }
            case PDU.wrongType, PDU.wrongLength, PDU.wrongEncoding, PDU.badValue -> {
                kind = Kind.WRONG_TYPE;
                hint = "the switch expects another type or length for it";
            }
            case PDU.noCreation -> {
                kind = Kind.NO_CREATION;
                hint = "the switch has no such row (no such port or VLAN)";
            }
            case PDU.inconsistentValue, PDU.inconsistentName -> {
                kind = Kind.INCONSISTENT;
                hint = "the value conflicts with the switch's state";
            }
            default -> {
                kind = Kind.AGENT_ERROR;
                hint = "the agent could not do it";
            }
        }
        return new SnmpFailure(kind, index, who + ": " + what + ": " + statusName(status) + " — " + hint);
    }

    /** The SMI name of an error-status (RFC 3416), as operators see it in switch documentation. */
    static String statusName(int status) {
        return switch (status) {
            case PDU.tooBig -> "tooBig";
            case PDU.noSuchName -> "noSuchName";
            case PDU.badValue -> "badValue";
            case PDU.readOnly -> "readOnly";
            case PDU.genErr -> "genErr";
            case PDU.noAccess -> "noAccess";
            case PDU.wrongType -> "wrongType";
            case PDU.wrongLength -> "wrongLength";
            case PDU.wrongEncoding -> "wrongEncoding";
            case PDU.wrongValue -> "wrongValue";
            case PDU.noCreation -> "noCreation";
            case PDU.inconsistentValue -> "inconsistentValue";
            case PDU.resourceUnavailable -> "resourceUnavailable";
            case PDU.commitFailed -> "commitFailed";
            case PDU.undoFailed -> "undoFailed";
            case PDU.authorizationError -> "authorizationError";
            case PDU.notWritable -> "notWritable";
            case PDU.inconsistentName -> "inconsistentName";
            default -> "error-status " + status;
        };
    }

    /** "dot1qPvid.3 = 2" style text of a varbind, for describers. */
    static String varbindText(List<? extends VariableBinding> vbs, int index) {
        if (index < 1 || index > vbs.size()) {
            return "varbind " + index;
        }
        return vbs.get(index - 1).toString();
    }
}
