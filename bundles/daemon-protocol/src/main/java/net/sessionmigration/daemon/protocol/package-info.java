/**
 * The migration daemons' API, shared by the daemon ({@code daemon/}) and its clients (the
 * daemon driver, the gateway driver): every request and answer as a Jackson record whose
 * field names are the JSON's, the one mutual-TLS HTTPS client ({@link
 * net.sessionmigration.daemon.protocol.DaemonClient}) and the one PKCS12 to {@code SSLContext}
 * loader ({@link net.sessionmigration.daemon.protocol.MutualTls}). JDK and Jackson only.
 */
package net.sessionmigration.daemon.protocol;
