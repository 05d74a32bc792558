package net.sessionmigration.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"stream", "m-20261125.1", "main_srv", "A1"})
    void acceptsPlainNames(String s) {
        assertTrue(RequestNames.isValid(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"; rm -rf /", "a;rm", "$(reboot)", "`id`", "a b", " a", "../etc", "..", "a/../b", "a/b",
            "-rf", ".hidden", "", "x\ny", "a|b", "a&b", "a>b", "ä", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void refusesShellWordsPathsAndOptions(String s) {
        assertFalse(RequestNames.isValid(s));
        assertThrows(RequestNames.BadRequest.class, () -> RequestNames.require("workload", s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.20.0.100", "192.0.2.1", "0.0.0.0"})
    void acceptsIpv4Literals(String s) {
        assertEquals(s, RequestNames.requireIpv4("vip", s).getHostAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "example.org", "10.20.0.256", "10.20.0", "1.2.3.4; rm", "::1", "$(x)"})
    void refusesHostNamesAndJunkAsAddresses(String s) {
        assertThrows(RequestNames.BadRequest.class, () -> RequestNames.requireIpv4("vip", s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"pages-1.img", "core-12345.img", "inventory.img", "tcp-stream-1b2c.img"})
    void acceptsCriuImageFiles(String s) {
        assertEquals(s, RequestNames.requireImageFile(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x.img", "/etc/passwd", "a/b.img", ".img", "..img"})
    void refusesImageFilesOutsideTheDirectory(String s) {
        assertThrows(RequestNames.BadRequest.class, () -> RequestNames.requireImageFile(s));
    }
}
