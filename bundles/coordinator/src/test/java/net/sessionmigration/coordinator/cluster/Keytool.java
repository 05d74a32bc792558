package net.sessionmigration.coordinator.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's own {@code keytool}, run as a process with an argument list (no shell). Every store it touches opens
 * with the password in one file, given as {@code -storepass:file}, so the password is in no command line (which
 * {@code ps} shows) and in no output. Started with a quick JIT: each run is a JVM that lives under a second.
 */
final class Keytool {
    private static final Path KEYTOOL = Path.of(System.getProperty("java.home"), "bin", "keytool");

    private final Path passwordFile;

    /** @param passwordFile the file with the password of every store this keytool opens (mode 0600) */
    Keytool(Path passwordFile) {
        this.passwordFile = passwordFile;
    }

    /** A new EC key pair with a self-signed certificate of {@code subject} in the PKCS12 store {@code store}. */
    void newKeyPair(Path store, String alias, String subject, String... extensions) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", subject, "-validity", "30", "-storetype", "PKCS12", "-keystore", store.toString()));
        for (String e : extensions) {
            args.addAll(List.of("-ext", e));
        }
        run(args);
    }

    /** The certificate request of the key {@code alias} in {@code store}, written to {@code request}. */
    void certificateRequest(Path store, String alias, Path request) throws IOException, InterruptedException {
        run(List.of("-certreq", "-alias", alias, "-keystore", store.toString(), "-file", request.toString()));
    }

    /** The CA {@code caAlias} of {@code caStore} signs {@code request}; the certificate goes to {@code certificate}. */
    void sign(Path caStore, String caAlias, Path request, Path certificate, String... extensions)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-gencert", "-alias", caAlias, "-keystore", caStore.toString(),
                "-infile", request.toString(), "-outfile", certificate.toString(), "-rfc", "-validity", "30"));
        for (String e : extensions) {
            args.addAll(List.of("-ext", e));
        }
        run(args);
    }

    private void run(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(KEYTOOL.toString(), "-J-XX:TieredStopAtLevel=1",
                "-J-XX:+UseSerialGC"));
        command.addAll(args);
        command.addAll(List.of("-storepass:file", passwordFile.toString(), "-noprompt"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool " + args.get(0) + ": no end within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + ": exit " + p.exitValue() + ": " + out.strip());
        }
    }
}
