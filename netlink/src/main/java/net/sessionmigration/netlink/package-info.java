/**
 * A small rtnetlink and packet-socket client for the migration daemon: links (list, master,
 * up/down), IPv4/IPv6 addresses, bridge VLAN filtering messages, gratuitous ARP, and running
 * in another network namespace. Messages are encoded and decoded by hand
 * ({@link java.nio.ByteBuffer}, host order = little-endian, 4-byte attribute alignment);
 * the only native calls are a handful of libc functions through JNA.
 *
 * <p>Entry points: {@link net.sessionmigration.netlink.RtNetlink},
 * {@link net.sessionmigration.netlink.PacketSocket},
 * {@link net.sessionmigration.netlink.NetNamespace}.
 */
package net.sessionmigration.netlink;
