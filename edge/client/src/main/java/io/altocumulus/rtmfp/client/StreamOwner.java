package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.flow.SendFlow;
import io.altocumulus.rtmfp.session.Session;

/**
 * What a {@link ClientNetStream} needs from the session that carries it: a NetConnection to a
 * server ({@link ClientNetConnection}) or a direct session to a peer ({@link PeerConnection}).
 */
interface StreamOwner {
  /** Runs on the session's loop, then flushes what it queued. */
  void execute(Runnable r);

  Session session();

  /** On the loop: opens the stream's own flow (TC metadata with its id, RTMFP-WIRE §8.1). */
  SendFlow openStreamFlow(long streamId);

  /** A message on the NetConnection flow (Set Buffer Length, RTMFP-WIRE §8.3). */
  void writeOnNetConnection(byte[] message);

  /** Ends the stream: its flow closes, flows for it that arrive later are refused. */
  void deleteStream(ClientNetStream ns);
}
