package io.altocumulus.edge.lua.io;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP socket for scripts (CUMULUS-FEATURES §5.15) on Netty: either bound (receives from
 * anyone, sends to an address) or connected (one peer), not both. Sends are asynchronous;
 * datagrams received go to the {@link Handler} on the events executor (the Lua thread).
 */
public final class UdpSocket {
  private static final Logger log = LoggerFactory.getLogger(UdpSocket.class);
  /** Largest UDP payload over IPv4. */
  public static final int MAX_DATAGRAM = 65_507;
  static final long WAIT_MILLIS = 5_000;

  /** The script side; called on the events executor only. */
  public interface Handler {
    /** A datagram from {@code address} ({@code "ip:port"}); the array is the handler's. */
    void onReception(byte[] data, String address);
  }

  private final IoLoop loop;
  private final Executor events;
  private final IoStats stats;
  private final IoLimits limits;
  private final boolean broadcast;
  private final Handler handler;
  private final AtomicLong unsent = new AtomicLong();
  private final AtomicInteger undelivered = new AtomicInteger();
  private volatile Channel channel;
  private volatile boolean connected;
  private volatile String address;
  private volatile String peerAddress;
  private volatile InetSocketAddress peer;

  public UdpSocket(IoLoop loop, Executor events, IoStats stats, IoLimits limits, boolean allowBroadcast, Handler handler) {
    this.loop = loop;
    this.events = events;
    this.stats = stats;
    this.limits = limits;
    this.broadcast = allowBroadcast;
    this.handler = handler;
  }

  /**
   * Binds to {@code "host:port"} with address reuse; waits for it (up to 5 s).
   *
   * @return null, or the error text
   */
  public String bind(String hostPort) {
    if (channel != null) {
      return connected ? "socket already connected to " + peerAddress : "socket already bound to " + address;
    }
    InetSocketAddress local;
    try {
      local = Addresses.parse(hostPort);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return open(local, null);
  }

  /**
   * Connects to {@code "host:port"} (binds an ephemeral local port); waits for it (up to 5 s).
   *
   * @return null, or the error text
   */
  public String connect(String hostPort) {
    if (channel != null) {
      return connected ? "socket already connected to " + peerAddress : "socket already bound to " + address;
    }
    InetSocketAddress remote;
    try {
      remote = Addresses.parse(hostPort);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    return open(null, remote);
  }

  private String open(InetSocketAddress local, InetSocketAddress remote) {
    Bootstrap b;
    try {
      b = new Bootstrap().group(loop.group()).channel(NioDatagramChannel.class)
          .option(ChannelOption.SO_REUSEADDR, true)
          .option(ChannelOption.SO_BROADCAST, broadcast)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM + 1))
          .handler(new Inbound());
    } catch (IllegalStateException e) {
      return e.getMessage();
    }
    ChannelFuture f = remote == null ? b.bind(local) : b.connect(remote);
    if (!f.awaitUninterruptibly(WAIT_MILLIS, TimeUnit.MILLISECONDS) || !f.isSuccess()) {
      f.channel().close();
      Throwable t = f.cause();
      return t == null ? "timeout" : t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
    Channel ch = f.channel();
    address = Addresses.format(ch.localAddress());
    if (remote != null) {
      peer = remote;
      peerAddress = Addresses.format(remote);
      connected = true;
    }
    channel = ch;
    return null;
  }

  /**
   * Sends one datagram (the array is taken, not copied): to {@code hostPort}, or, when null, to
   * the connected peer. An unbound socket sending to an address gets an ephemeral local port, as
   * with the OS socket API, and counts as bound from then on.
   *
   * @return null, or the error text
   */
  public String send(byte[] data, String hostPort) {
    if (data.length > MAX_DATAGRAM) {
      stats.udpSendsRefused.increment();
      return "datagram too large (" + data.length + " bytes, limit " + MAX_DATAGRAM + ")";
    }
    InetSocketAddress to = null;
    if (hostPort != null) {
      try {
        to = Addresses.parse(hostPort);
      } catch (IllegalArgumentException e) {
        stats.udpSendsRefused.increment();
        return e.getMessage();
      }
    }
    if (to == null && !connected) {
      stats.udpSendsRefused.increment();
      return "socket not connected: an address is needed";
    }
    if (to != null && connected && !to.equals(peer)) {
      stats.udpSendsRefused.increment();
      return "socket connected to " + peerAddress + ": cannot send to " + hostPort;
    }
    if (channel == null) {
      String err = open(new InetSocketAddress(0), null);
      if (err != null) {
        stats.udpSendsRefused.increment();
        return err;
      }
    }
    Channel ch = channel;
    if (ch == null || !ch.isOpen()) {
      stats.udpSendsRefused.increment();
      return "socket closed";
    }
    int n = data.length;
    if (unsent.addAndGet(n) > limits.maxUnsentBytes()) {
      unsent.addAndGet(-n);
      stats.udpSendsRefused.increment();
      log.warn("UDP send of {} bytes from {} refused: send buffer full", n, address);
      return "send buffer full (" + limits.maxUnsentBytes() + " bytes)";
    }
    ByteBuf buf = Unpooled.wrappedBuffer(data);
    Object msg = connected ? buf : new DatagramPacket(buf, to);
    ch.writeAndFlush(msg).addListener(f -> {
      unsent.addAndGet(-n);
      if (!f.isSuccess()) {
        log.debug("UDP send from {} failed", address, f.cause());
      }
    });
    return null;
  }

  /** Closes the socket; it can be bound or connected again afterwards. */
  public void close() {
    Channel ch = channel;
    channel = null;
    connected = false;
    peer = null;
    peerAddress = null;
    address = null;
    if (ch != null) {
      ch.close();
    }
  }

  /** Local {@code "ip:port"}, null when neither bound nor connected. */
  public String address() {
    return address;
  }

  /** The connected peer's {@code "ip:port"}, null when not connected. */
  public String peerAddress() {
    return peerAddress;
  }

  public boolean broadcast() {
    return broadcast;
  }

  private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
      ByteBuf in = p.content();
      if (undelivered.incrementAndGet() > limits.maxQueuedDatagrams()) {
        undelivered.decrementAndGet();
        stats.udpDatagramsDropped.increment();
        log.debug("UDP {}: datagram from {} dropped, Lua is {} datagrams behind", address, p.sender(), limits.maxQueuedDatagrams());
        return;
      }
      byte[] data = new byte[in.readableBytes()];
      in.readBytes(data);
      String from = Addresses.format(p.sender());
      Channel ch = ctx.channel();
      events.execute(() -> {
        undelivered.decrementAndGet();
        if (channel != ch) {
          return; // closed meanwhile
        }
        try {
          handler.onReception(data, from);
        } catch (RuntimeException e) {
          log.warn("UDP reception handler of {} failed", address, e);
        }
      });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // ICMP port unreachable on a connected socket and the like: not fatal for UDP.
      log.debug("UDP socket {}: {}", address, cause.toString());
    }
  }
}
