package io.altocumulus.edge.lua;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Lua runs: one task at a time, in submission order, as LuaJ's Globals require (STACK.md).
 *
 * <p>A caller that finds Lua idle and nothing queued runs its task itself: an event raised on a
 * session's loop is answered before the loop goes on, with no hand-off to another thread and
 * back (the two wake-ups that made a connect with a script 20–40 % dearer, tests/BENCHMARKS.md
 * "Lua dispatch and the connect path"). A caller that finds Lua busy queues the task for the
 * "lua" thread, which drains the queue in order and runs the periodic tick; callers never wait
 * for Lua. Order: the queue is only drained by a thread holding the lock, and an inline run only
 * happens while holding it with the queue empty, so no task overtakes one queued before it.
 */
final class LuaExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger("lua");
  /** Tasks the lua thread runs per lock hold before letting an inline caller in. */
  private static final int DRAIN_BATCH = 256;

  private final ReentrantLock lock = new ReentrantLock();
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final Runnable tick;
  private final long tickNanos;
  private volatile boolean closed;
  /** The loop whose thread runs the current task inline, or null (guarded by the lock). */
  private Executor inlineLoop;

  /**
   * @param tick run on the lua thread every {@code tickMillis} (after the previous run ended)
   */
  LuaExecutor(String name, Runnable tick, long tickMillis) {
    this.tick = tick;
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMillis);
    this.thread = new Thread(this::drain, name);
    thread.setDaemon(true);
  }

  /** Starts the lua thread (last, once the owner is built: the tick may run from then on). */
  LuaExecutor start() {
    thread.start();
    return this;
  }

  /** Runs {@code task} now on this thread if Lua is idle, else after the queued tasks on the lua thread. */
  @Override
  public void execute(Runnable task) {
    execute(null, task);
  }

  /**
   * As {@link #execute(Runnable)}; {@code callerLoop} is the session loop the caller runs on (or
   * null), so that what the script posts to that loop during an inline run can happen at once,
   * in order with the answer the caller sends on return ({@link #onLoop}).
   */
  void execute(Executor callerLoop, Runnable task) {
    if (closed) {
      throw new RejectedExecutionException("Lua is stopped");
    }
    // Never nested: a task queued from Lua runs after the current one, as it did on one thread.
    if (!lock.isHeldByCurrentThread() && lock.tryLock()) {
      try {
        if (queue.isEmpty()) {
          Executor before = inlineLoop;
          inlineLoop = callerLoop;
          try {
            run(task);
          } finally {
            inlineLoop = before;
          }
          return;
        }
        queue.add(task);
      } finally {
        lock.unlock();
      }
      LockSupport.unpark(thread);
      return;
    }
    enqueue(task);
  }

  /** Runs {@code task} on the lua thread, never on the caller's (socket loops: a script there may wait on that loop). */
  void enqueue(Runnable task) {
    if (closed) {
      throw new RejectedExecutionException("Lua is stopped");
    }
    queue.add(task);
    LockSupport.unpark(thread);
  }

  /**
   * Runs {@code r} at once when the current task runs inline on {@code loop}'s own thread, else
   * posts it to {@code loop}: a script's writes keep their order with the answer to its event.
   */
  void onLoop(Executor loop, Runnable r) {
    if (loop == inlineLoop && lock.isHeldByCurrentThread()) {
      r.run();
    } else {
      loop.execute(r);
    }
  }

  /** True while the current thread runs Lua (inline or on the lua thread). */
  boolean inLua() {
    return lock.isHeldByCurrentThread();
  }

  long threadId() {
    return thread.getId();
  }

  private void drain() {
    long nextTick = System.nanoTime() + tickNanos;
    while (!closed) {
      long now = System.nanoTime();
      if (now - nextTick >= 0) {
        lock.lock();
        try {
          run(tick);
        } finally {
          lock.unlock();
        }
        nextTick = System.nanoTime() + tickNanos;
        continue;
      }
      if (queue.isEmpty()) {
        LockSupport.parkNanos(this, nextTick - now);
        continue;
      }
      lock.lock();
      try {
        Runnable t;
        for (int n = 0; n < DRAIN_BATCH && (t = queue.poll()) != null; n++) {
          run(t);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  private static void run(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | StackOverflowError e) {
      LOG.error("Lua task failed", e);
    }
  }

  /** Stops the lua thread after the task it runs; queued tasks are dropped. Waits up to {@code millis}. */
  void close(long millis) {
    closed = true;
    LockSupport.unpark(thread);
    try {
      thread.join(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.clear();
  }
}
