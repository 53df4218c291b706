package shop.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** FakeLockNode is an in-memory lock node with expiry, switchable down or reply-losing, counting calls. */
final class FakeLockNode implements LockNode {

    /** Mode says how the node answers. */
    enum Mode { UP, DOWN, LOSES_REPLIES, ANSWERS_LATE }

    static final Duration LATE = Duration.ofMillis(400);

    private final String name;
    private final Map<String, Entry> keys = new HashMap<>();
    private final Set<String> tokens = new HashSet<>();
    private final Map<String, Integer> waiters = new HashMap<>();
    private final List<List<String>> setCalls = new ArrayList<>();
    private volatile Mode mode = Mode.UP;
    final AtomicInteger deleteCalls = new AtomicInteger();
    final AtomicInteger waiting = new AtomicInteger();

    private record Entry(String value, long expiresAtNanos) {}

    FakeLockNode(String name) {
        this.name = name;
    }

    void mode(Mode mode) {
        this.mode = mode;
    }

    /** put stores a key as another client would, for ttl. */
    synchronized void put(String key, String value, Duration ttl) {
        keys.put(key, new Entry(value, System.nanoTime() + ttl.toNanos()));
    }

    synchronized String get(String key) {
        expire();
        Entry e = keys.get(key);
        return e == null ? null : e.value();
    }

    /** waiters is how many waiters are counted for key. */
    synchronized int waiters(String key) {
        return waiters.getOrDefault(key, 0);
    }

    /** tokens is how many release signals wait to be taken. */
    synchronized int tokens() {
        return tokens.size();
    }

    synchronized List<List<String>> setCalls() {
        return List.copyOf(setCalls);
    }

    @Override
    public boolean setAllIfAbsent(List<String> ks, String value, Duration ttl, boolean registerWaiter) {
        if (mode == Mode.ANSWERS_LATE) {
            try {
                // Lands after the caller's clean-up, as a SET stuck in a slow network would.
                Thread.sleep(LATE);
            } catch (InterruptedException e) {
                throw new LockNodeException(name, "interrupted", e);
            }
        }
        return setNow(ks, value, ttl, registerWaiter);
    }

    private synchronized boolean setNow(List<String> ks, String value, Duration ttl, boolean registerWaiter) {
        failIfDown();
        setCalls.add(List.copyOf(ks));
        expire();
        boolean free = ks.stream().noneMatch(keys::containsKey);
        if (free) {
            ks.forEach(k -> keys.put(k, new Entry(value, System.nanoTime() + ttl.toNanos())));
        } else if (registerWaiter) {
            ks.stream().filter(keys::containsKey).findFirst().ifPresent(k -> waiters.merge(k, 1, Integer::sum));
        }
        failIfLosingReplies();
        return free;
    }

    @Override
    public synchronized int deleteAllIfValue(List<String> ks, String value, boolean wake) {
        deleteCalls.incrementAndGet();
        failIfDown();
        expire();
        int deleted = 0;
        for (String k : ks) {
            Entry e = keys.get(k);
            if (e != null && e.value().equals(value)) {
                keys.remove(k);
                deleted++;
                if (wake && waiters.getOrDefault(k, 0) > 0) {
                    waiters.merge(k, -1, Integer::sum);
                    tokens.add(k);
                }
            }
        }
        notifyAll();
        failIfLosingReplies();
        return deleted;
    }

    @Override
    public synchronized boolean expireAllIfValue(List<String> ks, String value, Duration ttl) {
        failIfDown();
        expire();
        boolean all = ks.stream().allMatch(k -> keys.containsKey(k) && keys.get(k).value().equals(value));
        if (all) {
            ks.forEach(k -> keys.put(k, new Entry(value, System.nanoTime() + ttl.toNanos())));
        }
        failIfLosingReplies();
        return all;
    }

    @Override
    public synchronized boolean awaitRelease(List<String> ks, Duration timeout) {
        failIfDown();
        long deadline = System.nanoTime() + timeout.toNanos();
        waiting.incrementAndGet();
        try {
            return awaitToken(ks, deadline);
        } finally {
            waiting.decrementAndGet();
        }
    }

    private boolean awaitToken(List<String> ks, long deadline) {
        while (true) {
            for (String k : ks) {
                if (tokens.remove(k)) {
                    return true;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    private void expire() {
        long now = System.nanoTime();
        keys.values().removeIf(e -> e.expiresAtNanos() - now <= 0);
    }

    private void failIfDown() {
        if (mode == Mode.DOWN) {
            throw new LockNodeException(name, "down", null);
        }
    }

    private void failIfLosingReplies() {
        if (mode == Mode.LOSES_REPLIES) {
            throw new LockNodeException(name, "reply lost", null);
        }
    }
}
