package io.seatwarden.bridge.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Threads released at one instant, for the concurrency tests: each gets its number, all wait at
 * one latch until every one is submitted, then run together, so calls into the engine overlap as
 * much as the machine allows. {@link #join} hands back each thread's result in thread order and
 * rethrows the first failure (an assertion failing inside a thread fails the test).
 *
 * @param <T> what each thread answers
 */
public final class Together<T> implements AutoCloseable {

  /** The body of one thread. */
  @FunctionalInterface
  public interface Body<T> {
    /** Runs as thread {@code thread} (0-based). */
    T run(int thread) throws Exception;
  }

  private final ExecutorService pool;
  private final List<Future<T>> results = new ArrayList<>();

  private Together(int threads, Body<T> body) {
    pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      int me = t;
      results.add(
          pool.submit(
              () -> {
                start.await();
                return body.run(me);
              }));
    }
    start.countDown();
  }

  /** Starts {@code threads} threads running {@code body}; {@link #join} or close it. */
  public static <T> Together<T> start(int threads, Body<T> body) {
    return new Together<>(threads, body);
  }

  /** Starts them, waits for all and closes: each thread's answer, in thread order. */
  public static <T> List<T> run(int threads, long timeoutSeconds, Body<T> body) throws Exception {
    try (Together<T> running = start(threads, body)) {
      return running.join(timeoutSeconds);
    }
  }

  /** Waits for every thread (each at most {@code timeoutSeconds}); their answers in order. */
  public List<T> join(long timeoutSeconds) throws Exception {
    List<T> out = new ArrayList<>(results.size());
    for (Future<T> result : results) {
      out.add(result.get(timeoutSeconds, TimeUnit.SECONDS));
    }
    return out;
  }

  /** Stops whatever still runs. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
