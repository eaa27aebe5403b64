package io.altocumulus.rendezvous.grpc;

import com.google.protobuf.ByteString;
import io.altocumulus.proto.rendezvous.v1.SocketAddress;
import io.altocumulus.rendezvous.Introduction;
import io.altocumulus.rendezvous.Key;
import io.altocumulus.rendezvous.LimitExceededException;
import io.altocumulus.rendezvous.PeerRecord;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Conversions between the rendezvous API types and their protobuf messages. */
final class Protos {
  private Protos() {}

  static ByteString key(Key k) {
    return ByteString.copyFrom(k.bytes());
  }

  /** A key from the wire; a wrong length is the caller's error (INVALID_ARGUMENT). */
  static Key key(ByteString b) {
    if (b.size() != Key.LENGTH) {
      throw Status.INVALID_ARGUMENT.withDescription("a key is 32 bytes, got " + b.size()).asRuntimeException();
    }
    return Key.of(b.toByteArray());
  }

  static SocketAddress address(InetSocketAddress a) {
    if (a.getAddress() == null) {
      throw new IllegalArgumentException("unresolved address " + a);
    }
    return SocketAddress.newBuilder().setIp(ByteString.copyFrom(a.getAddress().getAddress())).setPort(a.getPort()).build();
  }

  static InetSocketAddress address(SocketAddress a) {
    try {
      if (a.getPort() > 0xFFFF) {
        throw new UnknownHostException("port " + a.getPort());
      }
      return new InetSocketAddress(InetAddress.getByAddress(a.getIp().toByteArray()), a.getPort());
    } catch (UnknownHostException e) {
      throw Status.INVALID_ARGUMENT.withDescription("bad address: " + e.getMessage()).asRuntimeException();
    }
  }

  static io.altocumulus.proto.rendezvous.v1.PeerRecord record(PeerRecord r) {
    var b = io.altocumulus.proto.rendezvous.v1.PeerRecord.newBuilder().setPeerId(key(r.peerId())).setEdgeId(r.edgeId());
    for (InetSocketAddress a : r.addresses()) {
      b.addAddresses(address(a));
    }
    return b.build();
  }

  static PeerRecord record(io.altocumulus.proto.rendezvous.v1.PeerRecord r) {
    List<InetSocketAddress> addresses = new ArrayList<>(r.getAddressesCount());
    for (SocketAddress a : r.getAddressesList()) {
      addresses.add(address(a));
    }
    return new PeerRecord(key(r.getPeerId()), r.getEdgeId(), addresses);
  }

  static io.altocumulus.proto.rendezvous.v1.Introduction introduction(Introduction i) {
    return io.altocumulus.proto.rendezvous.v1.Introduction.newBuilder()
        .setTarget(key(i.target()))
        .setInitiatorAddress(address(i.initiatorAddress()))
        .setOrigin(i.origin())
        .setTag(ByteString.copyFrom(i.tag()))
        .build();
  }

  static Introduction introduction(io.altocumulus.proto.rendezvous.v1.Introduction i) {
    return new Introduction(key(i.getTarget()), address(i.getInitiatorAddress()), i.getOrigin(), i.getTag().toByteArray());
  }

  /** Server side: what a LocalRendezvous failure becomes on the wire. */
  static StatusRuntimeException toStatus(Throwable t) {
    if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (t instanceof LimitExceededException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(t.getMessage()).asRuntimeException();
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t).asRuntimeException();
  }

  /** Client side: a RESOURCE_EXHAUSTED answer is the API's refusal. */
  static Throwable fromStatus(Throwable t) {
    if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
      return new LimitExceededException(s.getStatus().getDescription());
    }
    return t;
  }
}
