package io.altocumulus.edge.lua.io;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loop of the Lua sockets (CUMULUS-FEATURES §5.13-5.15): one NIO thread of its
 * own, apart from the RTMFP loops, made on first use so a node whose scripts open no socket runs
 * no extra thread. Shut down with the host.
 */
public final class IoLoop implements AutoCloseable {
  private final int threads;
  private volatile EventLoopGroup group;
  private volatile boolean closed;

  public IoLoop() {
    this(1);
  }

  public IoLoop(int threads) {
    this.threads = threads;
  }

  /** The group, started on the first call; {@link IllegalStateException} once closed. */
  public EventLoopGroup group() {
    EventLoopGroup g = group;
    if (g != null) {
      return g;
    }
    synchronized (this) { // once per host, never on a data path
      if (closed) {
        throw new IllegalStateException("socket loop closed");
      }
      if (group == null) {
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("lua-io", true), NioIoHandler.newFactory());
      }
      return group;
    }
  }

  public boolean closed() {
    return closed;
  }

  /** Closes every channel of the loop and stops its thread; waits up to 2 s. Idempotent. */
  @Override
  public void close() {
    EventLoopGroup g;
    synchronized (this) {
      closed = true;
      g = group;
      group = null;
    }
    if (g != null) {
      g.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
  }
}
