package io.altocumulus.rtmfp.flow;

/** Receives the complete messages of a {@link RecvFlow}, in order. */
public interface MessageSink {
  /**
   * One complete message. {@code buf} may be the packet buffer or the flow's reassembly buffer,
   * both reused afterwards: copy what must outlive the call.
   */
  void onMessage(RecvFlow flow, byte[] buf, int off, int len);

  /** The flow's FIN was delivered; called once. */
  void onFinished(RecvFlow flow);
}
