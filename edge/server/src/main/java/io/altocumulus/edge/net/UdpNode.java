package io.altocumulus.edge.net;

import io.altocumulus.edge.config.NodeConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP side of the edge (ARCHITECTURE "edge data path"): {@code threads} epoll event loops,
 * each with its own {@code DatagramChannel} bound to the same host:port with SO_REUSEPORT, each
 * driving one {@link LoopEndpoint}.
 *
 * <p>The kernel spreads clients over the sockets by a hash of their address, but a session
 * belongs to the loop that created it: the edge encodes the owning loop in the low byte of the
 * session id it assigns. Each datagram's session id is unscrambled (RTMFP-WIRE: scrambled id
 * XOR the first two words of the encrypted block, RFC 7016 §2.2.4); id 0 (handshake) stays on
 * the loop that read it, any other id goes to loop {@code id & 0xFF} when that loop exists,
 * handed over with {@code execute} if it is not the reading loop (the pattern of Netty's QUIC
 * codec). Without epoll (not Linux) it falls back to NIO with one loop.
 *
 * <p>Hot path: each loop copies datagrams into one reusable heap {@code byte[2048]}; no
 * allocation per datagram except a copy when handing over to another loop, and Netty's own
 * outgoing {@code DatagramPacket}.
 *
 * <p>Sending: consecutive datagrams to one address (a session's flush: several full-size packets
 * of one video frame) go to the kernel as one UDP GSO send (UDP_SEGMENT, Linux 4.18+) that the
 * kernel cuts back into the same datagrams, so the route lookup, skb and device path are paid
 * once per run instead of once per datagram: that path was a third of the relay's CPU
 * (tests/BENCHMARKS.md "Relay profile"). The datagrams on the wire are unchanged. Off without
 * epoll or kernel support, with {@code -Daltocumulus.udp.gso=false}, and on a loop whose GSO send
 * once failed (a device without UDP checksum offload refuses it with EIO).
 */
public final class UdpNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UdpNode.class);

  /** Largest datagram accepted; RTMFP packets stay well below (RTMFP-WIRE). Larger ones are dropped. */
  public static final int MAX_DATAGRAM = 2048;
  public static final long DEFAULT_TICK_MILLIS = 10;
  /** Datagrams waiting to be handed to one loop by the others; beyond it they are dropped. */
  public static final int MAX_PENDING_HANDOVERS = 8192;
  /** Datagrams per recvmmsg call (epoll): the receive buffer holds this many 2048-byte slots. */
  static final int DATAGRAMS_PER_RECVMMSG = 16;
  /** Read calls per wake-up before the loop does other work. */
  static final int READS_PER_WAKEUP = 16;
  /** Datagrams per GSO send; the kernel accepts 64 (UDP_MAX_SEGMENTS in older kernels). */
  static final int MAX_GSO_SEGMENTS = 32;
  /** Bytes per GSO send: below the 65 507-byte UDP payload limit. */
  static final int MAX_GSO_BYTES = 60_000;

  private final NodeConfig cfg;
  private final LoopEndpointFactory factory;
  private final long tickMillis;
  private final boolean epoll;
  private final int loopCount;
  private final UdpNodeStats stats;
  private volatile Blacklist blacklist;

  private MultiThreadIoEventLoopGroup group;
  private Loop[] loops;
  private boolean started;
  private boolean closed;

  public UdpNode(NodeConfig cfg, LoopEndpointFactory factory) {
    this(cfg, factory, DEFAULT_TICK_MILLIS, false);
  }

  /**
   * @param tickMillis period of {@link LoopEndpoint#onTick()}
   * @param forceNio use NIO (one loop) even where epoll is available (tests)
   */
  public UdpNode(NodeConfig cfg, LoopEndpointFactory factory, long tickMillis, boolean forceNio) {
    if (tickMillis <= 0) {
      throw new IllegalArgumentException("tickMillis must be > 0: " + tickMillis);
    }
    this.cfg = cfg;
    this.factory = factory;
    this.tickMillis = tickMillis;
    this.epoll = !forceNio && Epoll.isAvailable();
    this.loopCount = epoll ? cfg.threads() : 1;
    this.stats = new UdpNodeStats(loopCount);
    this.gso = epoll && Boolean.parseBoolean(System.getProperty("altocumulus.udp.gso", "true"))
        && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
  }

  private final boolean gso;

  /** Whether sends to one address are batched with UDP GSO (see the class comment). */
  public boolean isGso() {
    return gso;
  }

  /**
   * Creates the loops and their endpoints, binds one socket per loop, starts the ticks.
   *
   * @throws IOException when binding fails (everything started is closed again)
   */
  public synchronized void start() throws IOException {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    if (!epoll) {
      log.warn("epoll is not available ({}): falling back to NIO with ONE event loop instead of {}",
          Epoll.isAvailable() ? "disabled" : String.valueOf(Epoll.unavailabilityCause()), cfg.threads());
    }
    try {
      doStart();
    } catch (Exception e) {
      close();
      if (e instanceof IOException) {
        throw (IOException) e;
      }
      throw new IOException("cannot start UDP on " + cfg.host() + ":" + cfg.port() + ": " + e, e);
    }
  }

  private void doStart() throws Exception {
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    group = new MultiThreadIoEventLoopGroup(loopCount, new DefaultThreadFactory("rtmfp-loop"), io);
    loops = new Loop[loopCount];
    Iterator<EventExecutor> it = group.iterator();
    for (int i = 0; i < loopCount; i++) {
      loops[i] = new Loop(i, (EventLoop) it.next());
    }
    for (Loop l : loops) {
      // Created on its own thread so the endpoint's state starts confined there.
      l.endpoint = l.executor.submit(() -> factory.create(l.index, loopCount, l, l.executor)).get();
    }
    InetAddress addr = InetAddress.getByName(cfg.host());
    SocketProtocolFamily family = addr instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    int port = cfg.port();
    for (Loop l : loops) {
      Bootstrap b = new Bootstrap().group(l.executor).handler(l.handler);
      if (epoll) {
        b.channelFactory(() -> new EpollDatagramChannel(family))
            .option(UnixChannelOption.SO_REUSEPORT, true)
            // recvmmsg: one read fills several 2048-byte slots, one datagram each.
            .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
            .option(ChannelOption.RCVBUF_ALLOCATOR,
                new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_RECVMMSG)
                    .respectMaybeMoreData(false).maxMessagesPerRead(READS_PER_WAKEUP));
      } else {
        b.channelFactory(() -> new NioDatagramChannel(family))
            .option(ChannelOption.RCVBUF_ALLOCATOR,
                new FixedRecvByteBufAllocator(MAX_DATAGRAM)
                    .respectMaybeMoreData(false).maxMessagesPerRead(READS_PER_WAKEUP * DATAGRAMS_PER_RECVMMSG));
      }
      if (cfg.udpBufferSize() > 0) {
        b.option(ChannelOption.SO_RCVBUF, cfg.udpBufferSize()).option(ChannelOption.SO_SNDBUF, cfg.udpBufferSize());
      }
      Channel ch = b.bind(new InetSocketAddress(addr, port)).sync().channel();
      if (port == 0) {
        port = ((InetSocketAddress) ch.localAddress()).getPort(); // the others share it
      }
      l.channel = ch;
    }
    for (Loop l : loops) {
      l.tick = l.executor.scheduleAtFixedRate(l::tick, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
    }
    log.info("RTMFP UDP listening on {} with {} {} loop(s){}{}", boundAddresses(), loopCount,
        epoll ? "epoll" : "NIO", gso ? ", UDP GSO" : "", cfg.udpBufferSize() > 0 ? ", buffers " + cfg.udpBufferSize() + " bytes" : "");
  }

  /**
   * Sends each endpoint's {@link LoopEndpoint#close()} on its loop and flushes, then closes the
   * sockets and the loops. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (loops != null) {
      for (Loop l : loops) {
        if (l != null && l.endpoint != null) {
          try {
            l.executor.submit(l::closeEndpoint).await(2, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (RuntimeException e) {
            log.debug("loop {} did not run close", l.index, e);
          }
        }
      }
      for (Loop l : loops) {
        if (l != null && l.channel != null) {
          l.channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
      }
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
  }

  /** The socket addresses bound, one per loop (all the same host:port). */
  public List<InetSocketAddress> boundAddresses() {
    List<InetSocketAddress> out = new ArrayList<>();
    if (loops != null) {
      for (Loop l : loops) {
        if (l != null && l.channel != null) {
          out.add((InetSocketAddress) l.channel.localAddress());
        }
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** Datagrams from these IPs are dropped before any processing (Lua cumulus:addToBlacklist). */
  public void blacklist(Blacklist b) {
    this.blacklist = b;
  }

  public UdpNodeStats stats() {
    return stats;
  }

  /** Number of event loops (the {@code threads} setting, or 1 without epoll). */
  public int loopCount() {
    return loopCount;
  }

  public boolean isEpoll() {
    return epoll;
  }

  /** The loop that owns session {@code sessionId}: its low byte, when such a loop exists. */
  public static int ownerLoop(int sessionId, int loopCount, int readingLoop) {
    if (sessionId == 0) {
      return readingLoop;
    }
    int owner = sessionId & 0xFF;
    return owner < loopCount ? owner : readingLoop;
  }

  List<Channel> channels() {
    List<Channel> out = new ArrayList<>();
    for (Loop l : loops) {
      out.add(l.channel);
    }
    return out;
  }

  /** One event loop: its socket, its endpoint, its scratch buffer. Confined to its thread. */
  private final class Loop implements DatagramOutput {
    final int index;
    final EventLoop executor;
    final byte[] scratch = new byte[MAX_DATAGRAM];
    final ByteBuffer scratchBuf = ByteBuffer.wrap(scratch);
    final Handler handler = new Handler();
    volatile Channel channel;
    LoopEndpoint endpoint;
    ScheduledFuture<?> tick;
    boolean unflushed;
    // The GSO run being gathered: datagrams to runTo, each runSegment bytes except maybe a
    // shorter last one (which ends the run), staged here until the next send elsewhere or flush.
    boolean loopGso = gso;
    final byte[] run = loopGso ? new byte[MAX_GSO_BYTES] : null;
    int runBytes;
    int runCount;
    int runSegment;
    InetSocketAddress runTo;

    Loop(int index, EventLoop executor) {
      this.index = index;
      this.executor = executor;
    }

    @Override
    public void send(ByteBuffer datagram, InetSocketAddress to) {
      Channel ch = channel;
      int n = datagram.remaining();
      if (ch == null || !ch.isActive()) {
        stats.dropped(index);
        return;
      }
      unflushed = true;
      stats.sent(index, n);
      if (loopGso) {
        if (runCount > 0 && (runCount == MAX_GSO_SEGMENTS || runBytes + n > MAX_GSO_BYTES
            || runBytes != runCount * runSegment // the run already has its shorter last datagram
            || n > runSegment || !to.equals(runTo))) {
          writeRun(ch);
        }
        if (runCount == 0) {
          runSegment = n;
          runTo = to;
        }
        datagram.get(datagram.position(), run, runBytes, n);
        runBytes += n;
        runCount++;
        return;
      }
      ByteBuf b = ch.alloc().directBuffer(n);
      int pos = datagram.position();
      b.writeBytes(datagram);
      datagram.position(pos);
      ch.write(new DatagramPacket(b, to), ch.voidPromise());
    }

    /** Hands the gathered run to Netty: a plain datagram, or one GSO send of several. */
    private void writeRun(Channel ch) {
      ByteBuf b = ch.alloc().directBuffer(runBytes);
      b.writeBytes(run, 0, runBytes);
      if (runCount == 1) {
        ch.write(new DatagramPacket(b, runTo), ch.voidPromise());
      } else {
        stats.gsoSend(index, runCount);
        ch.write(new SegmentedDatagramPacket(b, runSegment, runTo)).addListener(f -> {
          if (!f.isSuccess() && loopGso) {
            loopGso = false; // e.g. EIO: no UDP checksum offload; the lost run is retransmitted
            log.warn("loop {}: UDP GSO send failed, sending datagrams one by one from now on", index, f.cause());
          }
        });
      }
      runBytes = 0;
      runCount = 0;
      runTo = null;
    }

    @Override
    public void flush() {
      if (runCount > 0) {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
          writeRun(ch);
        } else {
          runBytes = 0;
          runCount = 0;
          runTo = null;
        }
      }
      if (unflushed) {
        unflushed = false;
        Channel ch = channel;
        if (ch != null) {
          ch.flush();
        }
      }
    }

    void deliver(int length, InetSocketAddress from) {
      scratchBuf.clear().limit(length);
      try {
        endpoint.onDatagram(scratchBuf, from);
      } catch (RuntimeException e) {
        stats.error(index);
        log.warn("loop {}: endpoint failed on a datagram from {}", index, from, e);
      }
    }

    /** A datagram another loop read for a session of ours. */
    final java.util.concurrent.atomic.AtomicInteger pendingHandovers = new java.util.concurrent.atomic.AtomicInteger();

    void deliverHandedOver(byte[] copy, InetSocketAddress from) {
      pendingHandovers.decrementAndGet();
      System.arraycopy(copy, 0, scratch, 0, copy.length);
      deliver(copy.length, from);
      readComplete();
    }

    void readComplete() {
      try {
        endpoint.onReadComplete();
      } catch (RuntimeException e) {
        stats.error(index);
        log.warn("loop {}: endpoint failed at read complete", index, e);
      }
      flush();
    }

    void tick() {
      // An exception escaping a fixed-rate task would cancel all later ticks.
      try {
        endpoint.onTick();
      } catch (RuntimeException e) {
        stats.error(index);
        log.warn("loop {}: endpoint failed on tick", index, e);
      }
      flush();
    }

    void closeEndpoint() {
      if (tick != null) {
        tick.cancel(false);
      }
      try {
        endpoint.close();
      } catch (RuntimeException e) {
        log.warn("loop {}: endpoint failed on close", index, e);
      }
      flush();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
          ReferenceCountUtil.release(msg);
          return;
        }
        DatagramPacket p = (DatagramPacket) msg;
        try {
          ByteBuf c = p.content();
          int n = c.readableBytes();
          stats.received(index, n);
          Blacklist banned = blacklist;
          if (banned != null && banned.drop(p.sender().getAddress())) {
            stats.dropped(index);
            return;
          }
          if (n > MAX_DATAGRAM) {
            stats.dropped(index);
            return;
          }
          int owner = index;
          if (n >= 12) {
            int r = c.readerIndex();
            int id = c.getInt(r) ^ c.getInt(r + 4) ^ c.getInt(r + 8);
            owner = ownerLoop(id, loopCount, index);
          }
          if (owner != index) {
            Loop target = loops[owner];
            // Bounded: a flood naming another loop's sessions cannot queue without end.
            if (target.pendingHandovers.incrementAndGet() > MAX_PENDING_HANDOVERS) {
              target.pendingHandovers.decrementAndGet();
              stats.dropped(index);
              return;
            }
            byte[] copy = new byte[n];
            c.getBytes(c.readerIndex(), copy);
            stats.handover(index);
            InetSocketAddress from = p.sender();
            target.executor.execute(() -> target.deliverHandedOver(copy, from));
            return;
          }
          c.getBytes(c.readerIndex(), scratch, 0, n);
          deliver(n, p.sender());
        } finally {
          p.release();
        }
      }

      @Override
      public void channelReadComplete(ChannelHandlerContext ctx) {
        readComplete();
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // UDP errors (ICMP unreachable, send to a wrong family) must not close the socket.
        stats.error(index);
        log.debug("loop {}: socket error", index, cause);
      }
    }
  }
}
