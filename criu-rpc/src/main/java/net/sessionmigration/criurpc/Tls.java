package net.sessionmigration.criurpc;

import java.nio.file.Path;

/**
 * CRIU's own TLS between a dump and a page server ({@code --tls}, {@code --tls-cacert},
 * {@code --tls-cert}, {@code --tls-key}, {@code --tls-no-cn-verify}).
 */
public record Tls(Path caCert, Path cert, Path key, boolean noCnVerify) {
}
