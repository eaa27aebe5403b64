package io.altocumulus.edge.lua.io;

/**
 * Bounds of every buffer the Lua sockets and mail keep; what goes past one is refused, counted in
 * {@link IoStats} and logged.
 *
 * @param maxKeptBytes bytes a TCP client keeps unconsumed between two {@code onReception} calls;
 *     beyond it the connection is closed with an error
 * @param maxUnsentBytes bytes queued for sending and not yet written, per socket; a send beyond it
 *     returns an error
 * @param maxUndeliveredBytes bytes read from a TCP socket and not yet handed to Lua; above it the
 *     socket stops reading until Lua catches up (TCP back-pressure, nothing lost)
 * @param maxQueuedDatagrams datagrams received and not yet handed to Lua, per UDP socket; more
 *     are dropped
 * @param maxAcceptedClients open connections per TCP server; more are closed on accept
 * @param maxQueuedMails mails waiting for the SMTP thread; more fail at once
 */
public record IoLimits(int maxKeptBytes, int maxUnsentBytes, int maxUndeliveredBytes,
    int maxQueuedDatagrams, int maxAcceptedClients, int maxQueuedMails) {

  public static final IoLimits DEFAULTS = new IoLimits(1 << 20, 4 << 20, 1 << 20, 1024, 1024, 256);

  public IoLimits {
    if (maxKeptBytes < 0 || maxUnsentBytes < 1 || maxUndeliveredBytes < 1 || maxQueuedDatagrams < 1
        || maxAcceptedClients < 1 || maxQueuedMails < 1) {
      throw new IllegalArgumentException("bad limits " + this);
    }
  }
}
