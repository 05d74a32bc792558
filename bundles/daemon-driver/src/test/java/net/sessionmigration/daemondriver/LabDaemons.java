package net.sessionmigration.daemondriver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.net.ssl.SSLContext;

import net.sessionmigration.daemon.protocol.DaemonClient;
import net.sessionmigration.daemon.protocol.MutualTls;

/**
 * The lab's migration daemons as the system tests reach them (the scenarios and the contract
 * classes), from the environment that lab/tests/daemon-system-test.sh and vm-system-test.sh
 * export: {@code DAEMONS_RUN} (its {@code pki/}: the coordinator's client certificate, the lab CA
 * and their password, written by lab/daemons/daemons), {@code TEST_CTL_SRC} and
 * {@code TEST_CTL_DST} (the control addresses of main-srv and bak-srv), {@code TEST_CTL_PROBE}
 * (probe1's, when the lab has a probe host) and {@code DAEMON_PORT}.
 */
final class LabDaemons {
    static final String MAIN = "main-srv";
    static final String BACKUP = "bak-srv";
    static final String PROBE = "probe1";

    private LabDaemons() {
    }

    /** An environment variable, or {@code def} when it is unset or empty. */
    static String env(String key, String def) {
        String v = System.getenv(key);
        return v == null || v.isEmpty() ? def : v;
    }

    /** The lab's key material: lab/daemons/daemons writes it to {@code $DAEMONS_RUN/pki}. */
    static Path pki() {
        return Path.of(env("DAEMONS_RUN", "lab/run/daemons"), "pki");
    }

    /** The password of the lab's PKCS12 stores. */
    static char[] storePassword() {
        try {
            return Files.readString(pki().resolve("store.pass")).strip().toCharArray();
        } catch (IOException e) {
            throw new UncheckedIOException("the lab's store password (" + pki().resolve("store.pass")
                    + "): are the daemons started (lab/daemons/daemons start)?", e);
        }
    }

    /** Mutual TLS as the coordinator: its client certificate, and the lab CA as the only trust. */
    static SSLContext sslContext() {
        char[] pw = storePassword();
        try {
            return MutualTls.sslContext(pki().resolve("coordinator.p12"), pw, pki().resolve("truststore.p12"), pw);
        } catch (IOException e) {
            throw new UncheckedIOException("the lab's key stores in " + pki(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the lab's key stores in " + pki() + ": " + e.getMessage(), e);
        }
    }

    /** main-srv and bak-srv, by their control addresses. */
    static Map<String, String> servers() {
        String port = env("DAEMON_PORT", "7443");
        Map<String, String> urls = new LinkedHashMap<>();
        urls.put(MAIN, "https://" + env("TEST_CTL_SRC", "10.99.0.11") + ":" + port);
        urls.put(BACKUP, "https://" + env("TEST_CTL_DST", "10.99.0.12") + ":" + port);
        return urls;
    }

    /** A client of main-srv and bak-srv. */
    static DaemonClient client(Duration timeout) {
        return new DaemonClient(sslContext(), servers(), timeout);
    }

    /** A client of main-srv, bak-srv and the probe host's daemon probe1 ({@code TEST_CTL_PROBE}). */
    static DaemonClient clientWithProbe(Duration timeout) {
        String probe = env("TEST_CTL_PROBE", "");
        if (probe.isEmpty()) {
            throw new IllegalStateException("TEST_CTL_PROBE is not set: this lab has no probe host (daemon " + PROBE + ")");
        }
        Map<String, String> urls = servers();
        urls.put(PROBE, "https://" + probe + ":" + env("DAEMON_PORT", "7443"));
        return new DaemonClient(sslContext(), urls, timeout);
    }
}
