package io.altocumulus.cluster.admin;

import io.altocumulus.cluster.link.LinkCredentials;
import io.altocumulus.cluster.membership.Membership;
import io.altocumulus.proto.cluster.v1.AdminGrpc;
import io.altocumulus.proto.cluster.v1.ListNodesRequest;
import io.altocumulus.proto.cluster.v1.ListNodesResponse;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import io.altocumulus.proto.cluster.v1.NodeRequest;
import io.altocumulus.proto.cluster.v1.NodeResponse;
import io.altocumulus.proto.cluster.v1.SetWeightRequest;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The Admin service of one node: lists the membership view, and drains, undrains or re-weights
 * a node. A request for this node changes its registration (written to ZooKeeper at once, so
 * every other node sees it); a request naming another node is forwarded to that node's gRPC
 * address with this node's credentials, so an operator needs to reach only one node.
 */
public final class AdminService extends AdminGrpc.AdminImplBase implements AutoCloseable {
  private final Membership membership;
  private final LinkCredentials credentials;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  public AdminService(Membership membership, LinkCredentials credentials) {
    this.membership = membership;
    this.credentials = credentials;
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
    out.onNext(ListNodesResponse.newBuilder()
        .addAllNodes(membership.nodes().values())
        .setAnsweredBy(membership.selfId())
        .build());
    out.onCompleted();
  }

  @Override
  public void drain(NodeRequest request, StreamObserver<NodeResponse> out) {
    handle(request.getNodeId(), out, b -> b.setDraining(true), s -> s.drain(request));
  }

  @Override
  public void undrain(NodeRequest request, StreamObserver<NodeResponse> out) {
    handle(request.getNodeId(), out, b -> b.setDraining(false), s -> s.undrain(request));
  }

  @Override
  public void setWeight(SetWeightRequest request, StreamObserver<NodeResponse> out) {
    if (request.getWeight() > 10_000) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("weight " + request.getWeight()
          + " out of range 0..10000").asRuntimeException());
      return;
    }
    handle(request.getNodeId(), out, b -> b.setWeight(request.getWeight()), s -> s.setWeight(request));
  }

  private void handle(String nodeId, StreamObserver<NodeResponse> out,
      java.util.function.UnaryOperator<NodeInfo.Builder> local,
      Function<AdminGrpc.AdminBlockingStub, NodeResponse> remote) {
    try {
      NodeResponse response;
      if (nodeId.isEmpty() || nodeId.equals(membership.selfId())) {
        response = NodeResponse.newBuilder().setNode(membership.update(local)).build();
      } else {
        NodeInfo target = membership.node(nodeId).orElseThrow(() -> Status.NOT_FOUND
            .withDescription("no registered node '" + nodeId + "'").asRuntimeException());
        ManagedChannel ch = channels.computeIfAbsent(target.getGrpcAddress(),
            a -> Grpc.newChannelBuilder(a, credentials.channel()).build());
        response = remote.apply(AdminGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS));
      }
      out.onNext(response);
      out.onCompleted();
    } catch (StatusRuntimeException e) {
      out.onError(e);
    } catch (RuntimeException e) {
      out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
