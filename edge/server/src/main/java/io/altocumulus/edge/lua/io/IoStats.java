package io.altocumulus.edge.lua.io;

import java.util.concurrent.atomic.LongAdder;

/** Refusals and outcomes of the Lua sockets and mail, one counter each (see {@link IoLimits}). */
public final class IoStats {
  final LongAdder tcpKeptOverflows = new LongAdder();
  final LongAdder tcpSendsRefused = new LongAdder();
  final LongAdder tcpAcceptsRefused = new LongAdder();
  final LongAdder tcpReadPauses = new LongAdder();
  final LongAdder udpDatagramsDropped = new LongAdder();
  final LongAdder udpSendsRefused = new LongAdder();
  final LongAdder mailsRefused = new LongAdder();
  final LongAdder mailsSent = new LongAdder();
  final LongAdder mailsFailed = new LongAdder();

  /** TCP connections closed because Lua left more than {@link IoLimits#maxKeptBytes} unconsumed. */
  public long tcpKeptOverflows() {
    return tcpKeptOverflows.sum();
  }

  /** TCP sends refused: not connected, or over {@link IoLimits#maxUnsentBytes}. */
  public long tcpSendsRefused() {
    return tcpSendsRefused.sum();
  }

  /** Accepted connections closed at once: over {@link IoLimits#maxAcceptedClients}. */
  public long tcpAcceptsRefused() {
    return tcpAcceptsRefused.sum();
  }

  /** Times a TCP socket stopped reading because Lua was behind ({@link IoLimits#maxUndeliveredBytes}). */
  public long tcpReadPauses() {
    return tcpReadPauses.sum();
  }

  /** Datagrams dropped because Lua was behind ({@link IoLimits#maxQueuedDatagrams}). */
  public long udpDatagramsDropped() {
    return udpDatagramsDropped.sum();
  }

  /** UDP sends refused: no destination, too large, or over {@link IoLimits#maxUnsentBytes}. */
  public long udpSendsRefused() {
    return udpSendsRefused.sum();
  }

  /** Mails refused before any SMTP attempt: bad address, queue full, mailer closed. */
  public long mailsRefused() {
    return mailsRefused.sum();
  }

  public long mailsSent() {
    return mailsSent.sum();
  }

  /** Mails the SMTP relay did not take (connection, timeout, protocol error). */
  public long mailsFailed() {
    return mailsFailed.sum();
  }

  @Override
  public String toString() {
    return "IoStats{tcpKeptOverflows=" + tcpKeptOverflows() + ", tcpSendsRefused=" + tcpSendsRefused()
        + ", tcpAcceptsRefused=" + tcpAcceptsRefused() + ", tcpReadPauses=" + tcpReadPauses()
        + ", udpDatagramsDropped=" + udpDatagramsDropped() + ", udpSendsRefused=" + udpSendsRefused()
        + ", mailsRefused=" + mailsRefused() + ", mailsSent=" + mailsSent() + ", mailsFailed=" + mailsFailed() + "}";
  }
}
