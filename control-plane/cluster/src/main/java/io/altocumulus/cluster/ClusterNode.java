package io.altocumulus.cluster;

import io.altocumulus.cluster.admin.AdminService;
import io.altocumulus.cluster.link.LinkCredentials;
import io.altocumulus.cluster.link.LinkListener;
import io.altocumulus.cluster.link.ServerLinks;
import io.altocumulus.cluster.membership.Membership;
import io.altocumulus.cluster.membership.ZooKeeperClients;
import io.altocumulus.proto.cluster.v1.AdminGrpc;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.ServerLinkGrpc;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's control plane, assembled: the gRPC server (server links, Admin, health checking,
 * reflection), the ZooKeeper membership and the server links it drives. What an edge or a
 * rendezvous node starts when {@code cluster.zookeeper} is configured.
 *
 * <pre>
 *   ClusterNode node = ClusterNode.start(config, connectString, linkListener);
 *   node.membership().addListener(...);        // node up / changed / down
 *   node.links().broadcast("handler", amf);     // Lua servers:broadcast
 *   node.membership().updateLoad(snapshot);      // rate-limited ZooKeeper write
 * </pre>
 */
public final class ClusterNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

  private final Server server;
  private final Membership membership;
  private final ServerLinks links;
  private final AdminService admin;
  private final HealthStatusManager health;
  private final LinkCredentials credentials;

  private ClusterNode(Server server, Membership membership, ServerLinks links, AdminService admin,
      HealthStatusManager health, LinkCredentials credentials) {
    this.credentials = credentials;
    this.server = server;
    this.membership = membership;
    this.links = links;
    this.admin = admin;
    this.health = health;
  }

  /**
   * Binds the gRPC server, registers in ZooKeeper and starts linking to the other nodes. Returns
   * without waiting for ZooKeeper (see {@link Membership#awaitRegistered}).
   *
   * @param zooKeeperConnect the connect string (for {@code cluster.zookeeper=embedded}, the one
   *     of the embedded server the caller started)
   */
  public static ClusterNode start(ClusterConfig config, String zooKeeperConnect, LinkListener listener)
      throws IOException {
    return start(config, zooKeeperConnect, listener, java.util.List.of());
  }

  /**
   * As {@link #start(ClusterConfig, String, LinkListener)}, also serving {@code services} on the
   * node's gRPC server (same port, same credentials; e.g. the rendezvous shard service of a node
   * with role rendezvous), each reported SERVING to health checks.
   */
  public static ClusterNode start(ClusterConfig config, String zooKeeperConnect, LinkListener listener,
      java.util.List<io.grpc.BindableService> services) throws IOException {
    LinkCredentials credentials = LinkCredentials.from(config.tls());
    if (!credentials.tls()) {
      LOG.warn("cluster.tls.* not set: server links and the admin service are plaintext and unauthenticated");
    }
    HealthStatusManager health = new HealthStatusManager();
    Membership[] membershipRef = new Membership[1];
    ServerLinks links = new ServerLinks(config.clusterName(), config.nodeId(), () -> membershipRef[0].self(),
        credentials, config.linkGrace(), listener);
    AdminService[] adminRef = new AdminService[1];
    // Admin needs the membership, which needs the bound port: a forwarding service fills the gap
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(config.grpcHost(), config.grpcPort()),
            credentials.server())
        .addService(links.service())
        .addService(new AdminGrpc.AdminImplBase() {
          @Override
          public void listNodes(io.altocumulus.proto.cluster.v1.ListNodesRequest r,
              io.grpc.stub.StreamObserver<io.altocumulus.proto.cluster.v1.ListNodesResponse> o) {
            adminRef[0].listNodes(r, o);
          }

          @Override
          public void drain(io.altocumulus.proto.cluster.v1.NodeRequest r,
              io.grpc.stub.StreamObserver<io.altocumulus.proto.cluster.v1.NodeResponse> o) {
            adminRef[0].drain(r, o);
          }

          @Override
          public void undrain(io.altocumulus.proto.cluster.v1.NodeRequest r,
              io.grpc.stub.StreamObserver<io.altocumulus.proto.cluster.v1.NodeResponse> o) {
            adminRef[0].undrain(r, o);
          }

          @Override
          public void setWeight(io.altocumulus.proto.cluster.v1.SetWeightRequest r,
              io.grpc.stub.StreamObserver<io.altocumulus.proto.cluster.v1.NodeResponse> o) {
            adminRef[0].setWeight(r, o);
          }
        })
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        // A hung or unplugged peer host closes no socket: without pings of our own, its streams
        // (a rendezvous Subscribe, whose end drops that edge's peer records) would stay forever.
        .keepAliveTime(5, TimeUnit.SECONDS)
        .keepAliveTimeout(5, TimeUnit.SECONDS);
    for (io.grpc.BindableService s : services) {
      builder.addService(s);
    }
    Server server = builder.build();
    server.start();
    int port = server.getPort();
    NodeInfo self = NodeInfo.newBuilder()
        .setId(config.nodeId())
        .addAllRoles(config.roles())
        .setPublicAddress(config.advertisedPublicAddress(port))
        .setGrpcAddress(config.advertisedGrpcAddress(port))
        .setCapacity(config.capacity())
        .setWeight(config.weight())
        .putAllProperties(config.properties())
        .setStartedAtMs(System.currentTimeMillis())
        .setProtocolVersion(ServerLinks.PROTOCOL_VERSION)
        .build();
    Membership membership = new Membership(ZooKeeperClients.create(zooKeeperConnect, config),
        config.clusterName(), self, config.loadInterval());
    membershipRef[0] = membership;
    adminRef[0] = new AdminService(membership, credentials);
    membership.addListener(links);
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(ServerLinkGrpc.SERVICE_NAME, ServingStatus.SERVING);
    health.setStatus(AdminGrpc.SERVICE_NAME, ServingStatus.SERVING);
    for (io.grpc.BindableService s : services) {
      health.setStatus(s.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    membership.start();
    LOG.info("cluster node {} ({}) gRPC on {}, public {}", self.getId(), config.clusterName(),
        self.getGrpcAddress(), self.getPublicAddress());
    return new ClusterNode(server, membership, links, adminRef[0], health, credentials);
  }

  public Membership membership() {
    return membership;
  }

  /** The credentials of this node's gRPC links (for other channels to cluster nodes, e.g. rendezvous shards). */
  public LinkCredentials credentials() {
    return credentials;
  }

  public ServerLinks links() {
    return links;
  }

  /** The port the gRPC server bound (useful with {@code grpc.port=0}). */
  public int grpcPort() {
    return server.getPort();
  }

  /** Deregisters, closes the links (linkDown for each), stops the gRPC server. */
  @Override
  public void close() {
    health.enterTerminalState();
    membership.close();
    links.close();
    admin.close();
    server.shutdown();
    try {
      if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
