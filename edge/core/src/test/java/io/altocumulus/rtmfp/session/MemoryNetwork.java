package io.altocumulus.rtmfp.session;

import io.altocumulus.rtmfp.DropCounters;
import io.altocumulus.rtmfp.handshake.ResponderPolicy;
import io.altocumulus.rtmfp.handshake.ServerIdentity;
import io.altocumulus.rtmfp.handshake.ServerKeys;
import io.altocumulus.rtmfp.time.FakeClock;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * An in-memory datagram network for endpoint tests: datagrams are queued, optionally lost,
 * duplicated or reordered (seeded), and delivered when the test pumps. Time is a FakeClock;
 * crypto and loop executors are task queues run by the pump, so nothing sleeps.
 */
final class MemoryNetwork {
  record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {}

  final FakeClock clock = new FakeClock();
  final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final ArrayList<Datagram> inFlight = new ArrayList<>();
  private final Map<InetSocketAddress, RtmfpEndpoint> endpoints = new HashMap<>();
  final List<Datagram> sent = new ArrayList<>();
  final Random random = new Random(7);
  double lossRate;
  double duplicateRate;
  boolean reorder;
  Predicate<Datagram> filter = d -> true;
  /** Rewrites the source address of datagrams from an endpoint (to simulate a NAT rebinding). */
  final Map<InetSocketAddress, InetSocketAddress> rewriteSource = new HashMap<>();

  RtmfpEndpoint endpoint(InetSocketAddress addr, DropCounters drops, ServerIdentity identity,
      ResponderPolicy policy, EndpointConfig cfg, int loopIndex) {
    RtmfpEndpoint ep = new RtmfpEndpoint(cfg, clock, (buf, off, len, to) -> {
      InetSocketAddress src = rewriteSource.getOrDefault(addr, addr);
      Datagram d = new Datagram(Arrays.copyOfRange(buf, off, off + len), src, to);
      sent.add(d);
      inFlight.add(d);
    }, tasks::add, tasks::add, drops, loopIndex, 4, identity, identity == null ? null : new ServerKeys(), policy);
    endpoints.put(addr, ep);
    return ep;
  }

  /** Datagrams sent to {@code alias} reach the endpoint at {@code addr} (the NAT's new mapping). */
  void alias(InetSocketAddress alias, InetSocketAddress addr) {
    endpoints.put(alias, endpoints.get(addr));
  }

  /** Delivers queued datagrams and runs queued tasks until nothing is left (bounded). */
  void pump() {
    for (int rounds = 0; rounds < 10_000; rounds++) {
      boolean progress = false;
      while (!tasks.isEmpty()) {
        tasks.poll().run();
        progress = true;
      }
      flushAll();
      if (!inFlight.isEmpty()) {
        ArrayList<Datagram> batch = new ArrayList<>(inFlight);
        inFlight.clear();
        if (reorder) {
          java.util.Collections.shuffle(batch, random);
        }
        for (Datagram d : batch) {
          if (!filter.test(d) || random.nextDouble() < lossRate) {
            continue;
          }
          int copies = random.nextDouble() < duplicateRate ? 2 : 1;
          for (int c = 0; c < copies; c++) {
            RtmfpEndpoint target = endpoints.get(d.to());
            if (target != null) {
              byte[] b = d.bytes().clone();
              target.receive(b, 0, b.length, d.from());
            }
          }
        }
        flushAll();
        progress = true;
      }
      if (!progress) {
        return;
      }
    }
    throw new AssertionError("network did not settle");
  }

  /** Advances time in steps, ticking every endpoint and pumping after each step. */
  void advance(long millis, long stepMillis) {
    for (long t = 0; t < millis; t += stepMillis) {
      clock.advanceMillis(stepMillis);
      for (RtmfpEndpoint ep : new java.util.LinkedHashSet<>(endpoints.values())) {
        ep.tick();
      }
      pump();
    }
  }

  private void flushAll() {
    for (RtmfpEndpoint ep : new java.util.LinkedHashSet<>(endpoints.values())) {
      ep.flush();
    }
  }
}
