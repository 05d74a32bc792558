/**
 * The migration daemons' API, shared by the daemon ({@code daemon/}) and its clients (the
 * daemon driver, the gateway driver): every request and answer as a Jackson record whose
 * field names are the JSON's, the one mutual-TLS HTTPS client ({@link
 * net.sessionmigration.daemon.protocol.DaemonClient}) and the one PKCS12 to {@code SSLContext}
 * loader ({@link net.sessionmigration.daemon.protocol.MutualTls}). JDK, Jackson, and Apache HttpClient 5
 * (classic, blocking), whose classes travel inside this bundle: it has no OSGi headers of its own.
 *
 * <h2>The caller's epoch: {@code X-SM-Epoch}</h2>
 * Coordinators may run as a cluster with one elected leader; each leadership has an epoch, higher
 * than every earlier leader's (a coordinator alone: 0). Every request that changes something at a
 * daemon carries the caller's epoch as the header {@code X-SM-Epoch: <n>} (a whole number, 0 or
 * more; {@code DaemonClient.withEpoch(n)}); the daemons forward it on the calls they make to their
 * peers for that request. The changing requests are every {@code POST /v1/migrations/{id}/{op}}
 * (the commit checks {@code held} and {@code sessions} included), {@code POST
 * /v1/workloads/{w}/start} and {@code POST /gateway/v1/move}. A daemon keeps the highest epoch it
 * has seen (across its restarts) and refuses, before doing anything, a changing request whose epoch
 * is below it: HTTP 409 with {@code {"ok":false,"kind":"fenced","error":"epoch 3 is below 5, the
 * highest this daemon has seen: another coordinator leads now …"}}; a higher one becomes the
 * highest. A request without the header is epoch 0, so once a cluster's leader has called a daemon,
 * a coordinator alone is refused there too. Reads ({@code GET}, {@code POST /v1/probe}, {@code POST
 * /gateway/v1/vlans|preflight}) are never refused and need no header. {@code GET /v1/health} says
 * the daemon's highest epoch ({@code epoch}) and its refusals since it started ({@code fencedRefusals}).
 */
package net.sessionmigration.daemon.protocol;
