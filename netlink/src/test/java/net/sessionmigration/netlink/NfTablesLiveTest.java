package net.sessionmigration.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NfTables} against the kernel, in a fresh network namespace; what it did is read back with
 * Debian's {@code nft} (nftables), the tool the daemon ran before.
 */
class NfTablesLiveTest {
    private LiveNamespace ns;

    @BeforeEach
    void setUp() {
        ns = LiveNamespace.create();
    }

    @AfterEach
    void tearDown() {
        ns.close();
    }

    private String nft(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns.name, "nft"));
        cmd.addAll(List.of(args));
        return LiveNamespace.run(cmd);
    }

    @Test
    void deletesATableWithItsChainAndRuleAndSaysWhenThereIsNone() throws Exception {
        nft("add table inet sm_hold_test; add chain inet sm_hold_test out { type filter hook output priority 0; };"
                + " add rule inet sm_hold_test out ip saddr 10.0.0.9 drop");
        nft("add table inet other");
        try (NfTables t = NfTables.openInNamespace(ns.name)) {
            assertTrue(t.deleteInetTable("sm_hold_test"));
            String left = nft("list", "tables");
            assertFalse(left.contains("sm_hold_test"), left);
            assertTrue(left.contains("table inet other"), "only the named table goes: " + left);
            assertFalse(t.deleteInetTable("sm_hold_test"), "a table that is not there is reported, not an error");
            assertTrue(t.deleteInetTable("other"), "the socket stays usable");
        }
        assertEquals("", nft("list", "tables").strip());
    }

    @Test
    void aRefusedNameIsAnErrorNamingTheOperation() throws Exception {
        try (NfTables t = NfTables.openInNamespace(ns.name)) {
            NetlinkException e = assertThrows(NetlinkException.class, () -> t.deleteInetTable("x".repeat(300)));
            assertTrue(e.getMessage().startsWith("delete table inet xxx"), e.getMessage());
        }
    }

    @Test
    void theBatchIsBeginDeleteEnd() {
        List<NetlinkRequest> b = NfTables.deleteInetTableBatch("t");
        assertEquals(List.of(NfTables.NFNL_MSG_BATCH_BEGIN, NfTables.NFNL_SUBSYS_NFTABLES << 8 | NfTables.NFT_MSG_DELTABLE,
                NfTables.NFNL_MSG_BATCH_END), b.stream().map(NetlinkRequest::type).toList());
        assertEquals(Rtnl.NLM_F_REQUEST | Rtnl.NLM_F_ACK, b.get(1).flags());
        // nfgenmsg inet, v0, res 0; then NFTA_TABLE_NAME "t\0" padded: 4-byte header + 2 bytes + 2 pad
        assertEquals("01000000" + "0600" + "0100" + "7400" + "0000", java.util.HexFormat.of().formatHex(b.get(1).payload()));
        assertEquals("0000000a", java.util.HexFormat.of().formatHex(b.get(0).payload()), "BEGIN names the nftables subsystem");
    }
}
