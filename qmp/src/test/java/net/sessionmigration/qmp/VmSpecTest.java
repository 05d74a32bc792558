package net.sessionmigration.qmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VmSpecTest {
    static final VmSpec BASE = VmSpec.of("stream1", Path.of("/usr/bin/qemu-system-x86_64"),
            Path.of("/var/cache/vm/vmlinux"), Path.of("/var/cache/vm/initramfs.cpio.gz"),
            "console=ttyS0 sm.ip=10.20.0.100/24", Path.of("/run/sm/vm"));

    @Test
    void commandLineOfASiteVm() {
        VmSpec s = BASE.withNetwork(Optional.of(new VmSpec.TapAttachment("tap-vm1", "52:54:00:53:4D:64")))
                .withNetns(Optional.of("sm-main-srv"));
        assertEquals(List.of("ip", "netns", "exec", "sm-main-srv", "/usr/bin/qemu-system-x86_64",
                "-name", "stream1", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                "-accel", "tcg", "-m", "131008k",
                "-kernel", "/var/cache/vm/vmlinux", "-initrd", "/var/cache/vm/initramfs.cpio.gz",
                "-append", "console=ttyS0 sm.ip=10.20.0.100/24",
                "-serial", "file:/run/sm/vm/stream1.console",
                "-netdev", "tap,id=net0,ifname=tap-vm1,script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=net0,mac=52:54:00:53:4d:64",
                "-qmp", "unix:/run/sm/vm/stream1.qmp,server=on,wait=off", "-pidfile", "/run/sm/vm/stream1.pid"),
                s.commandLine());
    }

    @Test
    void underTcgTheGuestRamIsOffQemusFastDirtyBitmapPath() {
        // 256 KiB = one 64-bit word of the dirty bitmap; a multiple of it takes QEMU 7.2's lossy fast path
        for (int mb : List.of(16, 128, 1024)) {
            VmSpec s = BASE.withMemoryMb(mb);
            String tcg = s.commandLine().get(s.commandLine().indexOf("-m") + 1);
            assertEquals(mb * 1024 - 64 + "k", tcg);
            assertTrue((mb * 1024L - 64) % 256 != 0, tcg);
            List<String> kvm = s.withAccelerator(Accelerator.KVM).commandLine();
            assertEquals(Integer.toString(mb), kvm.get(kvm.indexOf("-m") + 1));
        }
    }

    @Test
    void destinationIsPausedAndDeferred() {
        List<String> a = BASE.withAccelerator(Accelerator.KVM).asMigrationDestination().commandLine();
        assertTrue(a.containsAll(List.of("-S", "-incoming", "defer", "-cpu", "host")));
        assertEquals("kvm", a.get(a.indexOf("-accel") + 1));
        assertEquals(List.of("-incoming", "defer"), a.subList(a.size() - 2, a.size()));
    }

    @Test
    void namesThatWouldBreakQemuOptionsOrInterfacesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BASE.withName("a,b"));
        assertThrows(IllegalArgumentException.class, () -> BASE.withName("-x"));
        assertThrows(IllegalArgumentException.class, () -> BASE.withName(""));
        assertThrows(IllegalArgumentException.class, () -> BASE.withNetns(Optional.of("ns x")));
        assertThrows(IllegalArgumentException.class, () -> new VmSpec.TapAttachment("tap,ifname=x", "52:54:00:00:00:01"));
        assertThrows(IllegalArgumentException.class, () -> new VmSpec.TapAttachment("a-very-long-tapname", "52:54:00:00:00:01"));
        assertThrows(IllegalArgumentException.class, () -> new VmSpec.TapAttachment("tap0", "53:54:00:00:00:01"),
                "multicast MAC");
        assertThrows(IllegalArgumentException.class, () -> new VmSpec.TapAttachment("tap0", "52:54:00:00:00"));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.of("v", Path.of("/usr/bin/qemu"),
                Path.of("/k,evil"), Path.of("/i"), "", Path.of("/run")));
        assertThrows(IllegalArgumentException.class, () -> VmSpec.of("v", Path.of("qemu"),
                Path.of("/k"), Path.of("/i"), "", Path.of("/run")), "relative path");
        assertThrows(IllegalArgumentException.class, () -> BASE.withMemoryMb(8));
    }

    @Test
    void migrationParametersInQemuUnits() {
        assertEquals("{downtime-limit=50, max-bandwidth=134217728}",
                MigrationParameters.of(java.time.Duration.ofMillis(50), 134217728L).toArguments().toString());
        assertThrows(IllegalArgumentException.class,
                () -> MigrationParameters.of(java.time.Duration.ofMillis(50), 0));
    }
}
