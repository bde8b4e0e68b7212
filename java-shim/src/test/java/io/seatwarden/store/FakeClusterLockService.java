package io.seatwarden.store;

import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Cluster locks for tests: one JVM stands for the cluster, so a {@link ReentrantLock} per name
 * behaves like beehive's database locks do across nodes. Records every lock taken.
 */
public final class FakeClusterLockService implements ClusterLockService {

  private final Map<String, FakeLock> locks = new ConcurrentHashMap<>();
  /** Names locked so far, in order. */
  public final List<String> acquired = java.util.Collections.synchronizedList(new ArrayList<>());

  @Override
  public ClusterLock getLockForName(String lockName) {
    return locks.computeIfAbsent(lockName, FakeLock::new);
  }

  /** Whether any thread holds the named lock now. */
  public boolean isLocked(String lockName) {
    FakeLock lock = locks.get(lockName);
    return lock != null && lock.lock.isLocked();
  }

  /** Takes the named lock on another thread and keeps it until the returned handle is closed. */
  public AutoCloseable holdElsewhere(String lockName) throws InterruptedException {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              ClusterLock lock = getLockForName(lockName);
              lock.lock();
              try {
                held.countDown();
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                lock.unlock();
              }
            });
    holder.setDaemon(true);
    holder.start();
    held.await();
    return () -> {
      release.countDown();
      holder.join();
    };
  }

  private final class FakeLock implements ClusterLock {
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();

    FakeLock(String name) {
      this.name = name;
    }

    @Override
    public void lock() {
      lock.lock();
      acquired.add(name);
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
      lock.lockInterruptibly();
      acquired.add(name);
    }

    @Override
    public boolean tryLock() {
      boolean got = lock.tryLock();
      if (got) {
        acquired.add(name);
      }
      return got;
    }

    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
      boolean got = lock.tryLock(time, unit);
      if (got) {
        acquired.add(name);
      }
      return got;
    }

    @Override
    public void unlock() {
      lock.unlock();
    }

    @Override
    public Condition newCondition() {
      throw new UnsupportedOperationException("cluster locks have no conditions");
    }
  }
}
