package net.sessionmigration.criurpc;

/** How CRIU keeps a dumped tree's TCP connections quiet ({@code --network-lock}). */
public enum NetworkLock {
    IPTABLES, NFTABLES, SKIP
}
