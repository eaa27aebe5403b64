package io.altocumulus.edge.lua.io;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server for scripts (CUMULUS-FEATURES §5.14) on Netty: listens on every interface, sets
 * TCP_NODELAY on accepted sockets (linger stays off) and hands each accepted connection to its
 * {@link Handler} as a {@link TcpClient}, on the events executor (the Lua thread).
 */
public final class TcpServer {
  private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
  static final long BIND_WAIT_MILLIS = 5_000;

  /** The script side; called on the events executor only. */
  public interface Handler {
    /**
     * A connection was accepted. Set the client's handler here: bytes it receives are delivered
     * after this call.
     */
    void onClient(TcpClient client);
  }

  private final IoLoop loop;
  private final Executor events;
  private final IoStats stats;
  private final IoLimits limits;
  private final Handler handler;
  private final AtomicInteger open = new AtomicInteger();
  private volatile Channel channel;

  public TcpServer(IoLoop loop, Executor events, IoStats stats, IoLimits limits, Handler handler) {
    this.loop = loop;
    this.events = events;
    this.stats = stats;
    this.limits = limits;
    this.handler = handler;
  }

  /**
   * Listens on {@code port} of every interface ({@code 0}: a free port, see {@link #port()}).
   * Waits for the bind, up to 5 s: do not call it from a socket loop thread.
   *
   * @return true when listening; false when already running or the port cannot be bound (logged)
   */
  public boolean start(int port) {
    if (running()) {
      log.warn("TCP server already running on port {}", port());
      return false;
    }
    if (port < 0 || port > 65535) {
      log.warn("TCP server: invalid port {}", port);
      return false;
    }
    ServerBootstrap b;
    try {
      b = new ServerBootstrap().group(loop.group()).channel(NioServerSocketChannel.class)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              accept(ch);
            }
          });
    } catch (IllegalStateException e) {
      log.warn("TCP server on port {}: {}", port, e.getMessage());
      return false;
    }
    ChannelFuture f = b.bind(new InetSocketAddress(port));
    if (!f.awaitUninterruptibly(BIND_WAIT_MILLIS, TimeUnit.MILLISECONDS) || !f.isSuccess()) {
      log.warn("TCP server cannot listen on port {}: {}", port, f.cause() != null ? f.cause().getMessage() : "timeout");
      f.channel().close();
      return false;
    }
    channel = f.channel();
    log.info("Lua TCP server listening on {}", Addresses.format(channel.localAddress()));
    return true;
  }

  private void accept(SocketChannel ch) {
    if (open.incrementAndGet() > limits.maxAcceptedClients()) {
      open.decrementAndGet();
      stats.tcpAcceptsRefused.increment();
      log.warn("TCP server on port {}: connection from {} refused, {} open already", port(),
          Addresses.format(ch.remoteAddress()), limits.maxAcceptedClients());
      ch.close();
      return;
    }
    TcpClient client = TcpClient.accepted(loop, events, stats, limits, ch, open::decrementAndGet);
    events.execute(() -> {
      try {
        handler.onClient(client);
      } catch (RuntimeException e) {
        log.warn("TCP server client handler failed", e);
      }
    });
  }

  /** Stops listening; connections already accepted stay open. */
  public void stop() {
    Channel ch = channel;
    channel = null;
    if (ch != null) {
      ch.close().awaitUninterruptibly(BIND_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  /** The listening port, 0 when not running. */
  public int port() {
    Channel ch = channel;
    return ch != null && ch.localAddress() instanceof InetSocketAddress a ? a.getPort() : 0;
  }

  public boolean running() {
    Channel ch = channel;
    return ch != null && ch.isActive();
  }

  /** Connections accepted and still open. */
  public int openClients() {
    return open.get();
  }
}
