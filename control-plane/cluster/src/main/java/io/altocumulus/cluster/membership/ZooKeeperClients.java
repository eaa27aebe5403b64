package io.altocumulus.cluster.membership;

import io.altocumulus.cluster.ClusterConfig;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/** Builds the Curator client of a node: digest auth and the cluster's ACL when configured. */
public final class ZooKeeperClients {
  private ZooKeeperClients() {}

  /** A client (not started) for {@code connectString} with the config's timeouts and auth. */
  public static CuratorFramework create(String connectString, ClusterConfig config) {
    return create(connectString, config.sessionTimeout(), config.connectionTimeout(),
        config.zookeeperAuth(), config.zookeeperWorldRead());
  }

  /**
   * @param auth {@code user:password}: the client authenticates with ZooKeeper's digest scheme
   *     and every znode it creates gets an ACL giving that identity all rights (and, with
   *     {@code worldRead}, anyone the right to read); a client without it cannot write them.
   */
  public static CuratorFramework create(String connectString, Duration sessionTimeout,
      Duration connectionTimeout, Optional<String> auth, boolean worldRead) {
    CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
        .connectString(connectString)
        .sessionTimeoutMs((int) sessionTimeout.toMillis())
        .connectionTimeoutMs((int) connectionTimeout.toMillis())
        // operations retry briefly; registration survives longer outages through PersistentNode
        .retryPolicy(new ExponentialBackoffRetry(100, 6, 2_000))
        // the configured connect string is the truth: Curator's ensemble tracker would replace it
        // with the client addresses servers advertise in /zookeeper/config, which a node behind
        // NAT, a proxy or a load balancer may not reach (and which bypassed ClusterFaultsIT's cut)
        .ensembleTracker(false);
    if (auth.isPresent()) {
      List<ACL> acl = acl(auth.get(), worldRead);
      b.authorization("digest", auth.get().getBytes(StandardCharsets.UTF_8))
          .aclProvider(new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
              return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
              return acl;
            }
          });
    }
    return b.build();
  }

  /** The ACL of the cluster's znodes for digest identity {@code user:password}. */
  public static List<ACL> acl(String userPassword, boolean worldRead) {
    List<ACL> acl = new ArrayList<>();
    try {
      acl.add(new ACL(ZooDefs.Perms.ALL,
          new Id("digest", DigestAuthenticationProvider.generateDigest(userPassword))));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 missing from this JVM", e);
    }
    if (worldRead) {
      acl.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
    }
    return java.util.Collections.unmodifiableList(acl);  // not List.copyOf: ZooKeeper asks contains(null)
  }
}
