package net.sessionmigration.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away CA and certificates made with keytool (argument lists, no shell). Shared with
 * other modules' tests through this module's test jar.
 */
public final class TestPki {
    public static final String PASS = "test-pass-123";
    public final Path dir;

    public TestPki(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        kt("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test CA",
                "-ext", "bc:c", "-validity", "2", "-keystore", p("ca.p12"), "-storetype", "PKCS12", "-storepass", PASS);
        kt("-exportcert", "-alias", "ca", "-keystore", p("ca.p12"), "-storepass", PASS, "-rfc", "-file", p("ca.pem"));
        kt("-importcert", "-noprompt", "-alias", "ca", "-file", p("ca.pem"), "-keystore", p("truststore.p12"),
                "-storetype", "PKCS12", "-storepass", PASS);
        signed("server", "SAN=ip:127.0.0.1");
        signed("client", "SAN=dns:coordinator");
        // A client certificate from another CA: it must be refused as well.
        kt("-genkeypair", "-alias", "rogue", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=rogue",
                "-validity", "2", "-keystore", p("rogue.p12"), "-storetype", "PKCS12", "-storepass", PASS);
    }

    public Path store(String name) {
        return dir.resolve(name + ".p12");
    }

    private String p(String f) {
        return dir.resolve(f).toString();
    }

    private void signed(String name, String san) throws IOException, InterruptedException {
        kt("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-validity", "2", "-keystore", p(name + ".p12"), "-storetype", "PKCS12", "-storepass", PASS);
        kt("-certreq", "-alias", name, "-keystore", p(name + ".p12"), "-storepass", PASS, "-file", p(name + ".csr"));
        kt("-gencert", "-alias", "ca", "-keystore", p("ca.p12"), "-storepass", PASS, "-infile", p(name + ".csr"),
                "-outfile", p(name + ".pem"), "-ext", san, "-ext", "EKU=serverAuth,clientAuth", "-validity", "2", "-rfc");
        kt("-importcert", "-noprompt", "-alias", "ca", "-file", p("ca.pem"), "-keystore", p(name + ".p12"), "-storepass", PASS);
        kt("-importcert", "-alias", name, "-file", p(name + ".pem"), "-keystore", p(name + ".p12"), "-storepass", PASS);
    }

    private static void kt(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + args[0] + " failed: " + out);
        }
    }
}
