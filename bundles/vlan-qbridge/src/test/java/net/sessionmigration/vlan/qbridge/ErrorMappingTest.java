package net.sessionmigration.vlan.qbridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.VariableBinding;

class ErrorMappingTest {

    private static PDU report(String oid) {
        ScopedPDU pdu = new ScopedPDU();
        pdu.setType(PDU.REPORT);
        pdu.add(new VariableBinding(new OID(oid), new Counter32(7)));
        return pdu;
    }

    private static PDU error(int status, int index) {
        PDU pdu = new PDU();
        pdu.setType(PDU.RESPONSE);
        pdu.setErrorStatus(status);
        pdu.setErrorIndex(index);
        return pdu;
    }

    private static SnmpFailure classify(PDU response) {
        return SnmpFailure.classify("sw7", "10.99.1.7:161", "lab-sha-aes128", response, i -> "port ge-" + i + " (dot1qPvid." + i + " = 2)");
    }

    @Test
    void wrongDigestIsAnAuthenticationFailureNamingSwitchAndUser() {
        SnmpFailure f = classify(report("1.3.6.1.6.3.15.1.1.5.0"));
        assertEquals(SnmpFailure.Kind.AUTHENTICATION, f.kind());
        assertTrue(f.getMessage().startsWith("sw7 (10.99.1.7:161): authentication failure"), f.getMessage());
        assertTrue(f.getMessage().contains("usmStatsWrongDigests") && f.getMessage().contains("lab-sha-aes128"));
    }

    @Test
    void unknownUserName() {
        SnmpFailure f = classify(report("1.3.6.1.6.3.15.1.1.3.0"));
        assertEquals(SnmpFailure.Kind.UNKNOWN_USER, f.kind());
        assertTrue(f.getMessage().contains("unknown user") && f.getMessage().contains("usmStatsUnknownUserNames"));
    }

    @Test
    void otherReportsAreSecurityErrors() {
        assertEquals(SnmpFailure.Kind.SECURITY, classify(report("1.3.6.1.6.3.15.1.1.6.0")).kind());
        assertTrue(classify(report("1.3.6.1.6.3.15.1.1.1.0")).getMessage().contains("usmStatsUnsupportedSecLevels"));
    }

    @Test
    void wrongValueOnAPvidSaysTheVlanIsMissingAndNamesThePort() {
        SnmpFailure f = classify(error(PDU.wrongValue, 3));
        assertEquals(SnmpFailure.Kind.WRONG_VALUE, f.kind());
        assertEquals(3, f.errorIndex());
        assertEquals("sw7 (10.99.1.7:161): port ge-3 (dot1qPvid.3 = 2): wrongValue — the VLAN does not exist on the switch",
                f.getMessage());
    }

    @Test
    void notWritableNoSuchNameAndFriends() {
        assertEquals(SnmpFailure.Kind.NOT_WRITABLE, classify(error(PDU.notWritable, 1)).kind());
        assertEquals(SnmpFailure.Kind.NOT_WRITABLE, classify(error(PDU.readOnly, 1)).kind());
        assertEquals(SnmpFailure.Kind.NO_SUCH_NAME, classify(error(PDU.noSuchName, 2)).kind());
        assertTrue(classify(error(PDU.notWritable, 1)).getMessage().contains("notWritable"));
        assertTrue(classify(error(PDU.noSuchName, 2)).getMessage().contains("port ge-2"));
        assertEquals(SnmpFailure.Kind.NO_CREATION, classify(error(PDU.noCreation, 1)).kind());
        assertEquals(SnmpFailure.Kind.AGENT_ERROR, classify(error(PDU.genErr, 0)).kind());
        assertTrue(classify(error(PDU.genErr, 0)).getMessage().contains("the request: genErr"));
    }

    @Test
    void goodResponseIsNoFailure() {
        assertNull(classify(error(PDU.noError, 0)));
    }

    @Test
    void timeoutHintsAtPrivacyPassword() {
        SnmpFailure f = SnmpFailure.timeout("sw7", "10.99.1.7:161", 500, 1);
        assertEquals(SnmpFailure.Kind.TIMEOUT, f.kind());
        assertEquals("sw7 (10.99.1.7:161): timeout: no answer — check address, community or privacy password"
                + " (2 × 500 ms)", f.getMessage());
    }
}
