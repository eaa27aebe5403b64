package io.altocumulus.edge.lua.io;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP client for scripts (CUMULUS-FEATURES §5.13) on Netty: connects without blocking, buffers
 * what cannot be written yet, and hands received bytes to its {@link Handler} on the events
 * executor (the Lua thread), in order, with the disconnection last.
 *
 * <p>Reception rule (§4 {@code socket:onReception}): the handler gets the bytes it left
 * unconsumed last time followed by the new ones, and returns how many trailing bytes it did not
 * consume; those are kept (up to {@link IoLimits#maxKeptBytes}) and prepended next time.
 *
 * <p>Threads: the public methods may be called from any thread; the connection's socket state is
 * confined to its Netty loop, the kept bytes to the events executor.
 */
public final class TcpClient {
  private static final Logger log = LoggerFactory.getLogger(TcpClient.class);
  private static final byte[] EMPTY = new byte[0];
  static final int CONNECT_TIMEOUT_MILLIS = 30_000;

  /** The script side; called on the events executor only. */
  public interface Handler {
    /**
     * @param data the bytes kept from last time, then the new ones (the array is the handler's)
     * @return the number of trailing bytes of {@code data} not consumed (clamped to 0..length)
     */
    int onReception(byte[] data);

    /** The connection closed, failed or could not be made; {@link #error()} says why, if it failed. */
    void onDisconnection();
  }

  private final IoLoop loop;
  private final Executor events;
  private final IoStats stats;
  private final IoLimits limits;
  private final Runnable onClosed;
  private volatile Handler handler;
  private volatile Connection current;
  private volatile String error;

  /** A client that connects with {@link #connect}. */
  public TcpClient(IoLoop loop, Executor events, IoStats stats, IoLimits limits, Handler handler) {
    this(loop, events, stats, limits, handler, null);
  }

  private TcpClient(IoLoop loop, Executor events, IoStats stats, IoLimits limits, Handler handler, Runnable onClosed) {
    this.loop = loop;
    this.events = events;
    this.stats = stats;
    this.limits = limits;
    this.handler = handler;
    this.onClosed = onClosed;
  }

  /** An accepted connection (TCP server): already connected; its handler is set later with {@link #handler(Handler)}. */
  static TcpClient accepted(IoLoop loop, Executor events, IoStats stats, IoLimits limits, Channel ch, Runnable onClosed) {
    TcpClient c = new TcpClient(loop, events, stats, limits, null, onClosed);
    Connection conn = c.new Connection(ch, ch.eventLoop());
    c.current = conn;
    ch.pipeline().addLast(conn);
    conn.active(); // the accepted channel is active already; channelActive has fired before this handler
    return c;
  }

  /** Sets the handler; events delivered before it is set are dropped (bytes count as consumed). */
  public void handler(Handler h) {
    handler = h;
  }

  /**
   * Starts connecting to {@code host:port} without blocking (the name is resolved on the socket
   * loop). Data sent before the connection is up waits for it. A failure to connect arrives as
   * {@link Handler#onDisconnection()} with {@link #error()} set.
   *
   * @return null, or the error text when the connection cannot even be started
   */
  public String connect(String host, int port) {
    if (host == null || host.isEmpty()) {
      return error = "host expected";
    }
    if (port < 1 || port > 65535) {
      return error = "invalid port " + port;
    }
    Connection c = current;
    if (c != null && c.channel.isOpen()) {
      return error = "already connected to " + (c.peer != null ? c.peer : host + ":" + port);
    }
    error = null;
    EventLoop el;
    try {
      el = loop.group().next();
    } catch (IllegalStateException e) {
      return error = e.getMessage();
    }
    NioSocketChannel ch = new NioSocketChannel();
    ch.config().setConnectTimeoutMillis(CONNECT_TIMEOUT_MILLIS);
    ch.config().setTcpNoDelay(true);
    Connection conn = new Connection(ch, el);
    conn.beforeUp = new ArrayDeque<>();
    ch.pipeline().addLast(conn);
    current = conn;
    // Tasks given to the loop later (send, disconnect) run after this registration.
    el.register(ch).addListener(reg -> {
      if (!reg.isSuccess() || conn.closing) {
        if (!conn.closing) {
          error = describe(reg.cause());
        }
        ch.close();
        conn.end();
        return;
      }
      // Resolved on the socket loop, never on the Lua thread (literal addresses do not block).
      InetSocketAddress addr = new InetSocketAddress(host, port);
      if (addr.isUnresolved()) {
        error = "unknown host '" + host + "'";
        ch.close();
        conn.end();
        return;
      }
      ch.connect(addr).addListener(done -> {
        if (!done.isSuccess()) {
          if (!conn.closing) {
            error = describe(done.cause());
          }
          ch.close();
          conn.end();
        }
      });
    });
    return null;
  }

  /** Closes the connection after what was sent before is written; {@link Handler#onDisconnection()} follows. */
  public void disconnect() {
    Connection c = current;
    if (c == null) {
      return;
    }
    c.closing = true;
    Channel ch = c.channel;
    c.loop.execute(() -> {
      if (ch.isActive()) {
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      } else {
        ch.close();
        c.end(); // never connected: no channelInactive
      }
    });
  }

  /**
   * Sends {@code data} (the array is taken, not copied: do not change it afterwards). What the
   * socket cannot take yet is buffered, up to {@link IoLimits#maxUnsentBytes}.
   *
   * @return null, or the error text (not connected, buffer full)
   */
  public String send(byte[] data) {
    Connection c = current;
    if (c == null || !c.channel.isOpen()) {
      stats.tcpSendsRefused.increment();
      return "not connected";
    }
    long after = c.unsent.addAndGet(data.length);
    if (after > limits.maxUnsentBytes()) {
      c.unsent.addAndGet(-data.length);
      stats.tcpSendsRefused.increment();
      log.warn("TCP send of {} bytes to {} refused: {} bytes already waiting", data.length, c.peer != null ? c.peer : "(connecting)", after - data.length);
      return "send buffer full (" + limits.maxUnsentBytes() + " bytes)";
    }
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    c.loop.execute(() -> c.write(buf));
    return null;
  }

  /** True from the moment the connection is up until it closes. */
  public boolean connected() {
    Connection c = current;
    return c != null && c.up && c.channel.isActive();
  }

  /** Local {@code "ip:port"}, null when not connected. */
  public String address() {
    Connection c = current;
    return c != null && c.up && c.channel.isActive() ? c.local : null;
  }

  /** Remote {@code "ip:port"}, null when not connected. */
  public String peerAddress() {
    Connection c = current;
    return c != null && c.up && c.channel.isActive() ? c.peer : null;
  }

  /** TCP_NODELAY of the current connection (set on every connection this class makes or accepts). */
  boolean noDelay() {
    Connection c = current;
    return c != null && Boolean.TRUE.equals(c.channel.config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY));
  }

  /** The last error, null if none since the last {@link #connect}. */
  public String error() {
    return error;
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
  }

  /** One TCP connection; a client makes a new one on each {@link #connect}. */
  private final class Connection extends ChannelInboundHandlerAdapter {
    final Channel channel;
    final EventLoop loop;
    final AtomicLong unsent = new AtomicLong();
    final AtomicLong undelivered = new AtomicLong();
    volatile boolean up;
    volatile String local;
    volatile String peer;
    volatile boolean closing; // disconnect() was called
    ArrayDeque<ByteBuf> beforeUp; // loop thread; not null while connecting
    private boolean ended; // loop thread
    private byte[] kept = EMPTY; // events executor

    Connection(Channel channel, EventLoop loop) {
      this.channel = channel;
      this.loop = loop;
    }

    void active() {
      local = Addresses.format(channel.localAddress());
      peer = Addresses.format(channel.remoteAddress());
      up = true;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      active();
      ArrayDeque<ByteBuf> q = beforeUp;
      beforeUp = null;
      if (q != null) {
        for (ByteBuf b; (b = q.poll()) != null; ) {
          write(b);
        }
      }
      ctx.fireChannelActive();
    }

    /** On the loop. */
    void write(ByteBuf buf) {
      int n = buf.readableBytes();
      if (channel.isActive()) {
        channel.writeAndFlush(buf).addListener(f -> {
          unsent.addAndGet(-n);
          if (!f.isSuccess()) {
            error = describe(f.cause());
          }
        });
      } else if (beforeUp != null && channel.isOpen()) {
        beforeUp.add(buf);
      } else {
        unsent.addAndGet(-n);
        buf.release();
      }
    }

    /** On the loop. */
    void dropQueued() {
      if (beforeUp != null) {
        for (ByteBuf b; (b = beforeUp.poll()) != null; ) {
          unsent.addAndGet(-b.readableBytes());
          b.release();
        }
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      byte[] bytes;
      try {
        bytes = new byte[in.readableBytes()];
        in.readBytes(bytes);
      } finally {
        in.release();
      }
      if (undelivered.addAndGet(bytes.length) > limits.maxUndeliveredBytes() && channel.config().isAutoRead()) {
        // Lua is behind: stop reading, the peer's TCP window fills up. Nothing is lost.
        channel.config().setAutoRead(false);
        stats.tcpReadPauses.increment();
      }
      events.execute(() -> deliver(bytes));
    }

    /** On the events executor. */
    private void deliver(byte[] bytes) {
      if (undelivered.addAndGet(-bytes.length) <= limits.maxUndeliveredBytes() / 2 && !channel.config().isAutoRead()
          && channel.isActive()) {
        channel.config().setAutoRead(true);
      }
      if (current != this || kept == null) {
        return; // the script has moved on to another connection, or this one overflowed
      }
      byte[] data = bytes;
      if (kept.length > 0) {
        data = Arrays.copyOf(kept, kept.length + bytes.length);
        System.arraycopy(bytes, 0, data, kept.length, bytes.length);
      }
      Handler h = handler;
      int rest = 0;
      if (h != null) {
        try {
          rest = Math.max(0, Math.min(data.length, h.onReception(data)));
        } catch (RuntimeException e) {
          log.warn("TCP reception handler of {} failed", peer, e);
        }
      }
      if (rest > limits.maxKeptBytes()) {
        stats.tcpKeptOverflows.increment();
        log.warn("TCP client {}: {} unconsumed bytes kept, over the {}-byte bound: disconnected", peer, rest, limits.maxKeptBytes());
        error = "reception buffer overflow (" + rest + " unconsumed bytes, limit " + limits.maxKeptBytes() + ")";
        kept = null;
        channel.close();
        return;
      }
      kept = rest == 0 ? EMPTY : Arrays.copyOfRange(data, data.length - rest, data.length);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      end();
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      error = describe(cause);
      log.debug("TCP connection {} failed", peer, cause);
      ctx.close();
    }

    /** On the loop: once per connection, the disconnection goes after every reception. */
    void end() {
      if (ended) {
        return;
      }
      ended = true;
      dropQueued();
      beforeUp = null;
      if (onClosed != null) {
        onClosed.run();
      }
      events.execute(() -> {
        kept = null;
        Handler h = handler;
        if (h != null) {
          try {
            h.onDisconnection();
          } catch (RuntimeException e) {
            log.warn("TCP disconnection handler of {} failed", peer, e);
          }
        }
      });
    }
  }
}
