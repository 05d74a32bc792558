/**
 * The netlink-gateway VLAN driver: moves users' access ports between VLANs on Linux gateways
 * through the gateway role of the migration daemon (mutual TLS), one request per gateway.
 */
package net.sessionmigration.vlan.netlink;
