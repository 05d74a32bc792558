/**
 * The snmp-qbridge VLAN driver: moves users' access ports between VLANs on switches over
 * SNMP v2c/v3 (Q-BRIDGE-MIB), owns switch profiles and SNMP credentials (Config Admin).
 */
package net.sessionmigration.vlan.qbridge;
