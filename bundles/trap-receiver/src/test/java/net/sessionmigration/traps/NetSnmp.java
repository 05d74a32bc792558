package net.sessionmigration.traps;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Net-SNMP's real command-line tools with argument lists (never a shell), no MIBs, own state directory. */
final class NetSnmp {
    record Run(int exit, String output) {
    }

    private final Path stateDir;

    NetSnmp(Path stateDir) {
        this.stateDir = stateDir;
    }

    static Path require(String tool, String hint) {
        for (String dir : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        fail(tool + " not found: " + hint);
        return null;
    }

    static Path tool(String name) {
        return require(name, "install snmp (Net-SNMP tools)");
    }

    ProcessBuilder builder(Path tool, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MIBS", "");
        pb.environment().put("SNMP_PERSISTENT_DIR", stateDir.toString());
        pb.environment().put("SNMPCONFPATH", stateDir.toString());
        return pb;
    }

    Run run(String toolName, String... args) throws IOException, InterruptedException {
        Process p = builder(tool(toolName), List.of(args)).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(toolName + " did not finish within 20 s: " + List.of(args));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.exitValue(), out);
    }
}
