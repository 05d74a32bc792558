/**
 * The migration daemon on one server: an mTLS control API (JDK HttpsServer + Jackson) that
 * freezes, checkpoints (CRIU), transfers, restores and resumes a workload, and moves its
 * virtual IP (sm-netlink). The only part of the product that touches a server's kernel.
 */
package net.sessionmigration.daemon;
