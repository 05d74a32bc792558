package net.sessionmigration.qmp;

import java.util.List;

/** How QEMU runs the guest's CPUs. */
public enum Accelerator {
    /** Hardware virtualisation; needs a working /dev/kvm. Uses {@code -cpu host}. */
    KVM(List.of("-accel", "kvm", "-cpu", "host")),
    /** QEMU's own binary translator: slower, works everywhere. */
    TCG(List.of("-accel", "tcg"));

    private final List<String> arguments;

    Accelerator(List<String> arguments) {
        this.arguments = arguments;
    }

    /** The QEMU arguments that select this accelerator. */
    public List<String> arguments() {
        return arguments;
    }
}
