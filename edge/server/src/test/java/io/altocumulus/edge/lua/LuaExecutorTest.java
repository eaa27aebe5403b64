package io.altocumulus.edge.lua;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Lua's executor: inline when idle, queued in order when busy, never two tasks at once. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LuaExecutorTest {
  final AtomicInteger ticks = new AtomicInteger();
  final AtomicReference<Thread> tickThread = new AtomicReference<>();
  final LuaExecutor lua = new LuaExecutor("lua-test", () -> {
    ticks.incrementAndGet();
    tickThread.set(Thread.currentThread());
  }, 20).start();

  @AfterEach
  void close() {
    lua.close(2_000);
  }

  @Test
  void anIdleLuaRunsTheTaskOnTheCallersThread() {
    Thread[] ran = new Thread[1];
    boolean[] inLua = new boolean[1];
    lua.execute(() -> {
      ran[0] = Thread.currentThread();
      inLua[0] = lua.inLua();
    });
    assertThat(ran[0]).isSameAs(Thread.currentThread());
    assertThat(inLua[0]).isTrue();
    assertThat(lua.inLua()).isFalse();
  }

  @Test
  void aTaskQueuedFromLuaRunsAfterTheCurrentOneNotNested() throws Exception {
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch done = new CountDownLatch(1);
    lua.execute(() -> {
      lua.execute(() -> {
        order.add("inner");
        done.countDown();
      });
      order.add("outer end");
    });
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(order).containsExactly("outer end", "inner");
  }

  @Test
  void enqueueNeverRunsOnTheCaller() throws Exception {
    AtomicReference<Thread> ran = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    lua.enqueue(() -> {
      ran.set(Thread.currentThread());
      done.countDown();
    });
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran.get()).isNotSameAs(Thread.currentThread());
    assertThat(ran.get().getName()).isEqualTo("lua-test");
  }

  @Test
  void contendedCallersNeverOvertakeQueuedTasksAndNeverRunTwoAtOnce() throws Exception {
    int threads = 4;
    int perThread = 20_000;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    long[] last = new long[threads];
    java.util.Arrays.fill(last, -1);
    AtomicInteger outOfOrder = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(threads * perThread);
    List<Thread> ts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> {
        for (int i = 0; i < perThread; i++) {
          long n = i;
          Runnable task = () -> {
            if (running.incrementAndGet() != 1) {
              overlaps.incrementAndGet();
            }
            // last[] is only touched by tasks: the executor's exclusion makes plain access safe
            if (last[id] != n - 1) {
              outOfOrder.incrementAndGet();
            }
            last[id] = n;
            running.decrementAndGet();
            all.countDown();
          };
          if (i % 3 == 0) {
            lua.enqueue(task);
          } else {
            lua.execute(task);
          }
        }
      });
      ts.add(th);
      th.start();
    }
    for (Thread th : ts) {
      th.join();
    }
    assertThat(all.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(overlaps.get()).isZero();
    assertThat(outOfOrder.get()).isZero();
  }

  @Test
  void onLoopRunsAtOnceOnlyInsideAnInlineTaskOfThatLoop() {
    List<String> posted = new ArrayList<>();
    java.util.concurrent.Executor loop = r -> posted.add("posted");
    java.util.concurrent.Executor other = r -> posted.add("other");
    List<String> order = new ArrayList<>();
    lua.execute(loop, () -> {
      lua.onLoop(loop, () -> order.add("direct"));
      lua.onLoop(other, () -> order.add("never"));
      order.add("after");
    });
    assertThat(order).containsExactly("direct", "after");
    assertThat(posted).containsExactly("other");
    lua.onLoop(loop, () -> order.add("outside"));
    assertThat(posted).containsExactly("other", "posted");
  }

  @Test
  void aFailingTaskDoesNotStopTheLuaThreadAndTheTickRunsThere() throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    lua.enqueue(() -> {
      throw new IllegalStateException("boom");
    });
    lua.enqueue(done::countDown);
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    long until = System.nanoTime() + 5_000_000_000L;
    while (ticks.get() < 3 && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    assertThat(ticks.get()).isGreaterThanOrEqualTo(3);
    assertThat(tickThread.get().getName()).isEqualTo("lua-test");
  }

  @Test
  void closedRefusesNewTasks() {
    lua.close(2_000);
    assertThatThrownBy(() -> lua.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> lua.enqueue(() -> { })).isInstanceOf(RejectedExecutionException.class);
  }
}
