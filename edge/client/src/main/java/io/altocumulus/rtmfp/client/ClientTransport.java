package io.altocumulus.rtmfp.client;

import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.handshake.PeerIdentity;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.session.EndpointConfig;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The client's thin Netty adapter: one UDP socket on one event loop, feeding an
 * {@link RtmfpEndpoint} in the initiator role. Everything the endpoint does runs on that loop.
 */
final class ClientTransport implements AutoCloseable {
  private final MultiThreadIoEventLoopGroup group;
  private final ExecutorService crypto;
  private final Channel channel;
  private final RtmfpEndpoint endpoint;
  private final ScheduledFuture<?> ticker;
  private final byte[] inArray = new byte[2048];

  ClientTransport(InetSocketAddress bind, EndpointConfig config, DropCounters drops) throws InterruptedException {
    this(bind, config, drops, null, null);
  }

  /** With {@code identity} and {@code peerPolicy}: a full peer (RTMFP-WIRE §6), else an initiator only. */
  ClientTransport(InetSocketAddress bind, EndpointConfig config, DropCounters drops, PeerIdentity identity,
      java.util.function.Function<ClientTransport, ResponderPolicy> peerPolicy) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    crypto = new ThreadPoolExecutor(1, Math.max(1, Runtime.getRuntime().availableProcessors()), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(10_000), r -> {
          Thread t = new Thread(r, "rtmfp-client-crypto");
          t.setDaemon(true);
          return t;
        });
    EventLoop loop = group.next();
    Holder holder = new Holder();
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channel(NioDatagramChannel.class)
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .option(ChannelOption.SO_SNDBUF, 4 << 20)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
        .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            ByteBuf c = p.content();
            int n = Math.min(c.readableBytes(), inArray.length);
            c.getBytes(c.readerIndex(), inArray, 0, n);
            holder.endpoint.receive(inArray, 0, n, p.sender());
          }

          @Override
          public void channelReadComplete(ChannelHandlerContext ctx) {
            holder.endpoint.flush();
            ctx.flush();
          }
        });
    channel = b.bind(bind).sync().channel();
    Channel ch = channel;
    // Results of crypto work come back to the loop, then whatever they produced is sent.
    java.util.concurrent.Executor loopExec = r -> loop.execute(() -> {
      r.run();
      holder.endpoint.flush();
      ch.flush();
    });
    endpoint = new RtmfpEndpoint(config, System::nanoTime,
        (buf, off, len, to) -> ch.write(new DatagramPacket(ch.alloc().directBuffer(len).writeBytes(buf, off, len), to)),
        crypto, loopExec, drops, 0, 1, null, null, null);
    if (identity != null) {
      endpoint.enablePeerRole(identity, peerPolicy.apply(this));
    }
    holder.endpoint = endpoint;
    ticker = loop.scheduleAtFixedRate(() -> {
      endpoint.tick();
      ch.flush();
    }, 10, 10, TimeUnit.MILLISECONDS);
  }

  private static final class Holder {
    volatile RtmfpEndpoint endpoint;
  }

  RtmfpEndpoint endpoint() {
    return endpoint;
  }

  EventLoop loop() {
    return channel.eventLoop();
  }

  /** Runs on the loop, then flushes what it queued. */
  void execute(Runnable r) {
    channel.eventLoop().execute(() -> {
      r.run();
      endpoint.flush();
      channel.flush();
    });
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** Closes the UDP socket first: the peers hear nothing more, not even a close (a crashed client). */
  public void abandon() {
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    close();
  }

  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  /** Closes the sessions (each sends its close), the socket and the threads. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      channel.eventLoop().submit(() -> {
        endpoint.close();
        channel.flush();
      }).await(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ticker.cancel(false);
    channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    crypto.shutdownNow();
  }
}
