package net.sessionmigration.qmp;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything needed to start one QEMU for a lab-style VM (direct kernel boot). Both sites start
 * the same spec; the destination of a migration adds {@link #asMigrationDestination()}.
 * Names are validated because they end up in QEMU's option syntax and in interface names.
 *
 * @param name             VM name: letters, digits, {@code _ . -}; also names the files in runDir
 * @param qemuBinary       e.g. /usr/bin/qemu-system-x86_64
 * @param kernel           an uncompressed vmlinux (boots ~2.5x faster than bzImage under TCG)
 * @param initrd           the initramfs
 * @param append           kernel command line
 * @param memoryMb         guest RAM in MiB (under TCG 64 KiB less: {@link #memoryArgument})
 * @param network          a tap and the guest MAC, or empty for no NIC
 * @param netns            network namespace to start QEMU in ({@code ip netns exec}), or empty
 * @param runDir           where the QMP socket, console log and QEMU's own log go
 * @param accelerator      KVM or TCG (see {@link QemuLauncher#decideAccelerator})
 * @param incomingDeferred {@code -incoming defer}: wait for {@code migrate-incoming}
 * @param startPaused      {@code -S}: stay paused until {@code cont} (also after an incoming migration)
 * @param extraArguments   appended as they are (no shell)
 */
public record VmSpec(String name, Path qemuBinary, Path kernel, Path initrd, String append, int memoryMb,
                     Optional<TapAttachment> network, Optional<String> netns, Path runDir,
                     Accelerator accelerator, boolean incomingDeferred, boolean startPaused,
                     List<String> extraArguments) {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,47}");
    static final Pattern NETNS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /**
     * A tap device (already created, e.g. in the site namespace and bridged into the server LAN)
     * and the guest's MAC, the same at both sites.
     */
    public record TapAttachment(String ifname, String mac) {
        static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}");
        static final Pattern MAC = Pattern.compile("(?i)[0-9a-f][02468ace](:[0-9a-f]{2}){5}");

        public TapAttachment {
            if (ifname == null || !IFNAME.matcher(ifname).matches()) {
                throw new IllegalArgumentException("bad tap name (1-15 of A-Z a-z 0-9 _ . -): " + ifname);
            }
            if (mac == null || !MAC.matcher(mac).matches()) {
                throw new IllegalArgumentException("bad unicast MAC (xx:xx:xx:xx:xx:xx): " + mac);
            }
            mac = mac.toLowerCase(java.util.Locale.ROOT);
        }
    }

    public VmSpec {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad VM name (1-48 of A-Z a-z 0-9 _ . -, not starting with . - _): " + name);
        }
        for (Path p : new Path[] {qemuBinary, kernel, initrd, runDir}) {
            checkPath(p);
        }
        if (append == null || append.contains("\n") || append.length() > 2000) {
            throw new IllegalArgumentException("bad kernel command line");
        }
        if (memoryMb < 16 || memoryMb > 1 << 20) {
            throw new IllegalArgumentException("memory out of range (16 MiB .. 1 TiB): " + memoryMb);
        }
        if (network == null || netns == null || accelerator == null || extraArguments == null) {
            throw new IllegalArgumentException("null in VmSpec " + name);
        }
        netns.ifPresent(n -> {
            if (!NETNS.matcher(n).matches()) {
                throw new IllegalArgumentException("bad namespace name: " + n);
            }
        });
        extraArguments = List.copyOf(extraArguments);
    }

    /** QEMU splits option values at commas: refuse them rather than escape them. */
    private static void checkPath(Path p) {
        if (p == null || !p.isAbsolute() || p.toString().contains(",") || p.toString().contains("\n")) {
            throw new IllegalArgumentException("path must be absolute, without commas: " + p);
        }
    }

    /** A spec with the defaults of the lab (128 MiB, TCG, no NIC, no namespace). */
    public static VmSpec of(String name, Path qemuBinary, Path kernel, Path initrd, String append, Path runDir) {
        return new VmSpec(name, qemuBinary, kernel, initrd, append, 128, Optional.empty(), Optional.empty(),
                runDir, Accelerator.TCG, false, false, List.of());
    }

    public VmSpec withName(String n) {
        return new VmSpec(n, qemuBinary, kernel, initrd, append, memoryMb, network, netns, runDir, accelerator,
                incomingDeferred, startPaused, extraArguments);
    }

    public VmSpec withMemoryMb(int mb) {
        return new VmSpec(name, qemuBinary, kernel, initrd, append, mb, network, netns, runDir, accelerator,
                incomingDeferred, startPaused, extraArguments);
    }

    public VmSpec withNetwork(Optional<TapAttachment> tap) {
        return new VmSpec(name, qemuBinary, kernel, initrd, append, memoryMb, tap, netns, runDir, accelerator,
                incomingDeferred, startPaused, extraArguments);
    }

    public VmSpec withNetns(Optional<String> ns) {
        return new VmSpec(name, qemuBinary, kernel, initrd, append, memoryMb, network, ns, runDir, accelerator,
                incomingDeferred, startPaused, extraArguments);
    }

    public VmSpec withAccelerator(Accelerator a) {
        return new VmSpec(name, qemuBinary, kernel, initrd, append, memoryMb, network, netns, runDir, a,
                incomingDeferred, startPaused, extraArguments);
    }

    /** The same VM as the destination of a live migration: {@code -incoming defer} and {@code -S}. */
    public VmSpec asMigrationDestination() {
        return new VmSpec(name, qemuBinary, kernel, initrd, append, memoryMb, network, netns, runDir, accelerator,
                true, true, extraArguments);
    }

    public Path qmpSocket() {
        return runDir.resolve(name + ".qmp");
    }

    public Path consoleLog() {
        return runDir.resolve(name + ".console");
    }

    /** QEMU writes its PID here ({@code -pidfile}), so a restarted daemon can find a QEMU it started. */
    public Path pidFile() {
        return runDir.resolve(name + ".pid");
    }

    /** QEMU's own stdout and stderr. */
    public Path qemuLog() {
        return runDir.resolve(name + ".log");
    }

    /**
     * QEMU's {@code -m}: {@code memoryMb}, but under TCG 64 KiB less. QEMU before 9.0 (Debian 12 has
     * 7.2) reads the migration's dirty pages of a RAM block whose size is a multiple of 256 KiB (64
     * pages: one bitmap word) on a fast path that does not make TCG track the next writes to those
     * pages, so a page written again after it was sent can reach the destination stale (fixed upstream
     * by "physmem: Fix migration dirty bitmap coherency with TCG memory access"): guests panicked or
     * stalled right after a live migration (measured in RELIABILITY.md). A size off that grid takes
     * QEMU's per-page path, which re-arms the tracking of each page it reads. KVM tracks writes
     * itself and gets the size as given.
     */
    public String memoryArgument() {
        return accelerator == Accelerator.TCG ? ramBytes() / 1024 + "k" : Integer.toString(memoryMb);
    }

    /** The guest's RAM as QEMU gets it ({@link #memoryArgument}), in bytes. */
    public long ramBytes() {
        return (memoryMb * 1024L - (accelerator == Accelerator.TCG ? TCG_RAM_TRIM_KIB : 0)) * 1024;
    }

    /** See {@link #memoryArgument}. */
    static final int TCG_RAM_TRIM_KIB = 64;

    /** The full argument list, program first; no shell is involved. */
    public List<String> commandLine() {
        List<String> a = new java.util.ArrayList<>();
        netns.ifPresent(ns -> a.addAll(List.of("ip", "netns", "exec", ns)));
        a.add(qemuBinary.toString());
        a.addAll(List.of("-name", name, "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot"));
        a.addAll(accelerator.arguments());
        a.addAll(List.of("-m", memoryArgument(),
                "-kernel", kernel.toString(), "-initrd", initrd.toString(), "-append", append,
                "-serial", "file:" + consoleLog()));
        network.ifPresent(t -> a.addAll(List.of(
                "-netdev", "tap,id=net0,ifname=" + t.ifname() + ",script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=net0,mac=" + t.mac())));
        a.addAll(List.of("-qmp", "unix:" + qmpSocket() + ",server=on,wait=off", "-pidfile", pidFile().toString()));
        if (startPaused) {
            a.add("-S");
        }
        if (incomingDeferred) {
            a.addAll(List.of("-incoming", "defer"));
        }
        a.addAll(extraArguments);
        return a;
    }
}
