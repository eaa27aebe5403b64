package io.altocumulus.edge.app;

import io.altocumulus.edge.stream.Player;
import io.altocumulus.edge.stream.Publication;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A server application: what a folder under {@code www/} runs (CUMULUS-FEATURES §3, §4). The Lua
 * host implements it per {@code main.lua}; a folder without a script accepts every connection
 * and has no methods.
 *
 * <p>The edge calls these methods on the client's event loop. An application may run its code
 * elsewhere (the Lua host confines each app to its own executor), so the events that have an
 * answer return a {@link CompletionStage}: the edge continues inline when the stage is already
 * complete (the default methods return completed constants, so an app without the event costs
 * nothing), otherwise it continues on the client's loop when the answer arrives. Events without
 * an answer are notifications and must not block.
 */
public interface ServerApplication {
  CompletableFuture<Decision> ACCEPT = CompletableFuture.completedFuture(Decision.ACCEPTED);
  CompletableFuture<Map<String, Object>> NO_EXTRA = CompletableFuture.completedFuture(Map.of());
  CompletableFuture<CallResult> NOT_FOUND = CompletableFuture.completedFuture(CallResult.notFound());
  CompletableFuture<List<InetSocketAddress>> NO_REDIRECT = CompletableFuture.completedFuture(List.of());

  /** {@link #mediaEvents()} bits: which per-message events the app wants. */
  int AUDIO = 1;
  int VIDEO = 2;
  int DATA = 4;

  // ---- handshake ----

  /** True when the app defines onHandshake; otherwise the edge answers the IHello without asking. */
  default boolean handlesHandshake() {
    return false;
  }

  /**
   * onHandshake(address, path, properties, attempts): the redirect targets for this IHello; an
   * empty list lets the client in. Targets are resolved addresses (the app resolves "again" and
   * server links itself).
   */
  default CompletionStage<List<InetSocketAddress>> onHandshake(InetSocketAddress from, String path,
      Map<String, String> properties, int attempts) {
    return NO_REDIRECT;
  }

  // ---- connection ----

  /**
   * A client connects (onConnection). Completes with extra members for the {@code _result} info
   * object, or exceptionally with {@link ConnectionRejected} to refuse.
   */
  default CompletionStage<Map<String, Object>> onConnection(Client client, List<Object> args) {
    return NO_EXTRA;
  }

  /** A connected session failed (timeout, protocol error, client-side close): onFailed. */
  default void onFailed(Client client, String error) {}

  /** A connected client is gone (onDisconnection), after its streams and groups were released. */
  default void onDisconnection(Client client) {}

  /**
   * A NetConnection call that is not built in (CUMULUS-FEATURES §4 RPC). Complete with
   * {@link CallResult#notFound()} when there is no such method.
   */
  default CompletionStage<CallResult> onCall(Client client, String method, List<Object> args) {
    return NOT_FOUND;
  }

  /**
   * True when the app reads AMF3 externalizable classes itself (Lua {@code __readExternal},
   * CUMULUS-FEATURES §5.16): a call whose arguments hold a class the edge has no externalizer for
   * is then handed over undecoded, to {@link #onRawCall}, instead of being dropped as malformed.
   */
  default boolean readsExternalizables() {
    return false;
  }

  /**
   * A call the edge could not decode (see {@link #readsExternalizables()}): {@code message} is the
   * whole command message (type byte first, at most one flow message long); the app decodes it.
   */
  default CompletionStage<CallResult> onRawCall(Client client, String method, double transactionId, byte[] message) {
    return NOT_FOUND;
  }

  // ---- streams (CUMULUS-FEATURES §4, §5.10) ----

  /** NetStream.publish: a refusal is answered with NetStream.Publish.BadName. */
  default CompletionStage<Decision> onPublish(Client client, Publication publication) {
    return ACCEPT;
  }

  default void onUnpublish(Client client, Publication publication) {}

  /** NetStream.play: a refusal is answered with NetStream.Play.Failed. */
  default CompletionStage<Decision> onSubscribe(Client client, Player listener) {
    return ACCEPT;
  }

  default void onUnsubscribe(Client client, Player listener) {}

  /** Bit set of {@link #AUDIO}, {@link #VIDEO}, {@link #DATA}: checked per message, so keep it cheap. */
  default int mediaEvents() {
    return 0;
  }

  /** onDataPacket: {@code packet} is the raw AMF after the handler name. */
  default void onDataPacket(Client client, Publication publication, String name, byte[] packet) {}

  default void onAudioPacket(Client client, Publication publication, long time, byte[] packet) {}

  default void onVideoPacket(Client client, Publication publication, long time, byte[] packet) {}

  // ---- groups (CUMULUS-FEATURES §4, §5.5) ----

  default void onJoinGroup(Client client, NetGroupView group) {}

  default void onUnjoinGroup(Client client, NetGroupView group) {}

  /** Thrown (or completed exceptionally with) to reject the client with NetConnection.Connect.Rejected. */
  final class ConnectionRejected extends RuntimeException {
    public ConnectionRejected(String description) {
      super(description, null, false, false);
    }
  }

  /** Accept, or refuse with a description (onPublish / onSubscribe). */
  record Decision(boolean accepted, String description) {
    public static final Decision ACCEPTED = new Decision(true, null);

    public static Decision refuse(String description) {
      return new Decision(false, description);
    }
  }

  /** Outcome of an RPC: a value for {@code _result}, an error for {@code _error}, nothing, or no such method. */
  record CallResult(Kind kind, Object value, String error) {
    public enum Kind { RESULT, NO_RESULT, ERROR, NOT_FOUND }

    public static CallResult result(Object value) {
      return new CallResult(Kind.RESULT, value, null);
    }

    public static CallResult noResult() {
      return new CallResult(Kind.NO_RESULT, null, null);
    }

    public static CallResult error(String description) {
      return new CallResult(Kind.ERROR, null, description);
    }

    public static CallResult notFound() {
      return new CallResult(Kind.NOT_FOUND, null, null);
    }
  }
}
