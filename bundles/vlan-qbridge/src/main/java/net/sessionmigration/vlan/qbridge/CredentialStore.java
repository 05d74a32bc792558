package net.sessionmigration.vlan.qbridge;

/**
 * Where credential configurations put their secrets. A credential is deliberately not a
 * service of its own: DS would copy its configuration (passphrases included) into the service
 * registry, where {@code service:list} shows it.
 */
public interface CredentialStore {
    void put(String configurationPid, SnmpCredential credential);

    void remove(String configurationPid);
}
