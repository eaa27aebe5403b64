package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.flow.RecvFlow;

/** Receives the complete messages of one incoming flow, in order. */
public interface FlowHandler {
  /** The bytes are valid only during the call. */
  void onMessage(RecvFlow flow, byte[] buf, int off, int len);

  /** The peer finished the flow (FIN delivered). */
  default void onFinished(RecvFlow flow) {}
}
