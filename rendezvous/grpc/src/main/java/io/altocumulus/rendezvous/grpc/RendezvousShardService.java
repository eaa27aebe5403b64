package io.altocumulus.rendezvous.grpc;

import io.altocumulus.proto.rendezvous.v1.EdgeEvent;
import io.altocumulus.proto.rendezvous.v1.GroupNeighbour;
import io.altocumulus.proto.rendezvous.v1.GroupSizeRequest;
import io.altocumulus.proto.rendezvous.v1.GroupSizeResponse;
import io.altocumulus.proto.rendezvous.v1.IntroduceRequest;
import io.altocumulus.proto.rendezvous.v1.IntroduceResponse;
import io.altocumulus.proto.rendezvous.v1.JoinGroupRequest;
import io.altocumulus.proto.rendezvous.v1.JoinGroupResponse;
import io.altocumulus.proto.rendezvous.v1.LeaveGroupRequest;
import io.altocumulus.proto.rendezvous.v1.LeaveGroupResponse;
import io.altocumulus.proto.rendezvous.v1.LookupRequest;
import io.altocumulus.proto.rendezvous.v1.LookupResponse;
import io.altocumulus.proto.rendezvous.v1.RegisterPeerRequest;
import io.altocumulus.proto.rendezvous.v1.RegisterPeerResponse;
import io.altocumulus.proto.rendezvous.v1.RendezvousGrpc;
import io.altocumulus.proto.rendezvous.v1.SubscribeRequest;
import io.altocumulus.proto.rendezvous.v1.Subscribed;
import io.altocumulus.proto.rendezvous.v1.UnregisterPeerRequest;
import io.altocumulus.proto.rendezvous.v1.UnregisterPeerResponse;
import io.altocumulus.rendezvous.EdgeCallbacks;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rendezvous shard as a gRPC service: the {@code altocumulus.rendezvous.v1.Rendezvous} methods
 * answered from a {@link LocalRendezvous}. Each edge holds one {@code Subscribe} stream here; when
 * it ends the shard forgets the edge's peers and memberships (soft state: the edge replays them
 * when it subscribes again). Can be added to any gRPC server; {@link RendezvousShardServer} is the
 * stand-alone one.
 */
public final class RendezvousShardService extends RendezvousGrpc.RendezvousImplBase {
  private static final Logger log = LoggerFactory.getLogger(RendezvousShardService.class);

  private final LocalRendezvous local;
  private final long epoch;
  private final LongAdder droppedEvents = new LongAdder();

  /** @param epoch identifies this start of the shard (sent first on every subscription) */
  public RendezvousShardService(LocalRendezvous local, long epoch) {
    this.local = local;
    this.epoch = epoch;
  }

  public LocalRendezvous local() {
    return local;
  }

  public long epoch() {
    return epoch;
  }

  /** Events not delivered because the edge's stream had ended or was not writable. */
  public long droppedEvents() {
    return droppedEvents.sum();
  }

  @Override
  public void registerPeer(RegisterPeerRequest request, StreamObserver<RegisterPeerResponse> out) {
    answer(out, () -> local.register(Protos.record(request.getRecord())), v -> RegisterPeerResponse.getDefaultInstance());
  }

  @Override
  public void unregisterPeer(UnregisterPeerRequest request, StreamObserver<UnregisterPeerResponse> out) {
    answer(out, () -> local.unregister(Protos.key(request.getPeerId()), request.getEdgeId()), v -> UnregisterPeerResponse.getDefaultInstance());
  }

  @Override
  public void lookup(LookupRequest request, StreamObserver<LookupResponse> out) {
    answer(out, () -> local.lookup(Protos.key(request.getPeerId())), r -> {
      LookupResponse.Builder b = LookupResponse.newBuilder();
      r.ifPresent(p -> b.setRecord(Protos.record(p)));
      return b.build();
    });
  }

  @Override
  public void introduce(IntroduceRequest request, StreamObserver<IntroduceResponse> out) {
    answer(out, () -> local.introduce(Protos.introduction(request.getIntroduction())), v -> IntroduceResponse.getDefaultInstance());
  }

  @Override
  public void joinGroup(JoinGroupRequest request, StreamObserver<JoinGroupResponse> out) {
    answer(out,
        () -> local.join(Protos.key(request.getGroupId()), Protos.key(request.getPeerId()), request.getEdgeId(), request.getVirtualMember()),
        (List<Key> bootstrap) -> {
          JoinGroupResponse.Builder b = JoinGroupResponse.newBuilder();
          for (Key k : bootstrap) {
            b.addBootstrap(Protos.key(k));
          }
          return b.build();
        });
  }

  @Override
  public void leaveGroup(LeaveGroupRequest request, StreamObserver<LeaveGroupResponse> out) {
    answer(out, () -> local.leave(Protos.key(request.getGroupId()), Protos.key(request.getPeerId()), request.getEdgeId()), v -> LeaveGroupResponse.getDefaultInstance());
  }

  @Override
  public void groupSize(GroupSizeRequest request, StreamObserver<GroupSizeResponse> out) {
    answer(out, () -> local.size(Protos.key(request.getGroupId())), n -> GroupSizeResponse.newBuilder().setSize(n).build());
  }

  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<EdgeEvent> out) {
    String edgeId = request.getEdgeId();
    if (edgeId.isEmpty()) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("edge_id is required").asRuntimeException());
      return;
    }
    ServerCallStreamObserver<EdgeEvent> stream = (ServerCallStreamObserver<EdgeEvent>) out;
    EdgeStream edge = new EdgeStream(stream);
    stream.setOnCancelHandler(() -> {
      edge.closed = true;
      // only the current stream's end drops the edge: a newer subscription has replaced it otherwise
      if (local.detach(edgeId, edge)) {
        log.debug("edge {} unsubscribed: dropping its registrations", edgeId);
        local.dropEdge(edgeId);
      }
    });
    local.attach(edgeId, edge);
    edge.send(EdgeEvent.newBuilder().setSubscribed(Subscribed.newBuilder().setEpoch(epoch)).build());
  }

  private interface Call<T> {
    CompletionStage<T> run();
  }

  private static <T, R> void answer(StreamObserver<R> out, Call<T> call, Function<T, R> reply) {
    CompletionStage<T> stage;
    try {
      stage = call.run();
    } catch (RuntimeException e) {
      out.onError(Protos.toStatus(e));
      return;
    }
    stage.whenComplete((v, e) -> {
      if (e != null) {
        out.onError(Protos.toStatus(e));
      } else {
        out.onNext(reply.apply(v));
        out.onCompleted();
      }
    });
  }

  /** An edge's subscription as the LocalRendezvous sees it: events serialized onto the stream. */
  private final class EdgeStream implements EdgeCallbacks {
    private final ServerCallStreamObserver<EdgeEvent> stream;
    volatile boolean closed;

    EdgeStream(ServerCallStreamObserver<EdgeEvent> stream) {
      this.stream = stream;
    }

    void send(EdgeEvent event) {
      synchronized (this) { // a stream observer is not thread-safe; many callers may notify
        if (!closed) {
          try {
            stream.onNext(event);
            return;
          } catch (RuntimeException e) { // cancelled meanwhile
            closed = true;
          }
        }
      }
      droppedEvents.increment();
    }

    @Override
    public void onIntroduction(Introduction introduction) {
      send(EdgeEvent.newBuilder().setIntroduction(Protos.introduction(introduction)).build());
    }

    @Override
    public void onGroupNeighbour(Key group, Key member, Key neighbour) {
      send(EdgeEvent.newBuilder()
          .setGroupNeighbour(GroupNeighbour.newBuilder().setGroupId(Protos.key(group)).setMember(Protos.key(member)).setNeighbour(Protos.key(neighbour)))
          .build());
    }
  }
}
