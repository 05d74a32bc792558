package net.sessionmigration.coordinator.cluster;

import java.util.List;

import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * Every znode the cluster creates (its root, the journal, the members, the leader latch, the epoch) gets
 * {@link ZooDefs.Ids#CREATOR_ALL_ACL}: all rights for the identity that created it, none for anyone else. With
 * ZooKeeper's x509 authentication that identity is the subject DN of the creator's client certificate, which is
 * the same on every member (the coordinator's identity), so every member may read and write what another made,
 * and a client with any other certificate may do neither, though the CA trusts it.
 */
final class CreatorOnlyAcl implements ACLProvider {
    @Override
    public List<ACL> getDefaultAcl() {
        return ZooDefs.Ids.CREATOR_ALL_ACL;
    }

    @Override
    public List<ACL> getAclForPath(String path) {
        return ZooDefs.Ids.CREATOR_ALL_ACL;
    }
}
