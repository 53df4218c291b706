/**
 * A distributed lock over independent Redis masters, after the Redlock algorithm
 * (<a href="https://redis.io/docs/latest/develop/use/patterns/distributed-locks/">redis.io</a>),
 * written here because Jedis has none. The algorithm ({@link shop.lock.RedLock}) knows nodes only
 * through {@link shop.lock.LockNode}; the Jedis adapter lives in {@code shop.lock.jedis}, as redsync
 * keeps one adapter per driver.
 *
 * <h2>Acquire, release, extend</h2>
 * <ul>
 *   <li>Every acquisition gets a value no other can have: a 128-bit prefix drawn from
 *       {@code SecureRandom} on a {@code RedLock}'s first use and again after every SnapStart
 *       restore ({@code RedLock.renewValuePrefix}), then a counter (a draw per
 *       acquisition showed in the profile under 16 threads). All nodes are asked
 *       at once, bounded together by a per-node timeout far below the ttl: a
 *       {@link shop.lock.PipelinedLockNode} (the Jedis adapter) has the script written to every node
 *       from the calling thread before any reply is read; other nodes run on virtual threads of one
 *       executor per {@code RedLock}. (Five thread hand-offs per round cost more CPU than the Redis
 *       calls themselves on a small host: 1.1 ms against 0.4 ms of client CPU per acquire and release,
 *       benchmarks.md.) A lease needs a majority (N/2+1) and validity left:
 *       {@code validity = ttl - elapsed - drift}, {@code drift = 1 % of ttl + 2 ms}.</li>
 *   <li>One order locks several goods: all keys of one acquisition go to a node in one script that
 *       sets all of them or none. Keys are sorted and de-duplicated, so two callers always ask for
 *       the same set in the same order, and a client never holds part of a set while waiting for the
 *       rest: there is no lock-order deadlock to have.</li>
 *   <li>A failed attempt releases wherever its value may be: on the nodes it won and on those that
 *       timed out, because a SET whose reply was lost may have landed. A node that answered "held"
 *       never set it and is not asked (under contention that halves the calls of a failed attempt).</li>
 *   <li>Release and extend are compare-and-delete and compare-and-pexpire scripts on the value, so a
 *       lease can never delete or prolong a lock that expired and went to someone else. Extend needs
 *       a majority and validity left; a lease already past its validity is refused without asking.</li>
 *   <li>Fewer than a majority of nodes answering ends the call at once with
 *       {@code QUORUM_UNREACHABLE}, distinct from {@code CONTENDED} (maxWait ran out while others
 *       held the lock): the caller chooses to go on under DB row locks alone or to answer 503.</li>
 * </ul>
 *
 * <h2>Waiting: a hand-off, not a poll</h2>
 * Polling loses either way on one hot key: redsync's 50-250 ms back-off leaves the lock idle most of
 * the time after a release, and a back-off of a few ms lets dozens of contenders hit the nodes at
 * once, so each wins some nodes, nobody wins a majority and all release (split votes). Here:
 * <ol>
 *   <li>Each attempt names one <em>wait node</em>, picked from the first key (the next node round
 *       when that one did not answer last time), so that all waiters of a key meet on one node. There
 *       the SET script, when it finds a key held, also counts the caller as a waiter of that key
 *       ({@code <key>:waiters}, expiring after about a second): registering costs no extra call and
 *       cannot race with the release, since both are scripts on the same node.</li>
 *   <li>A release script, after deleting a key that has waiters, takes one off the count and pushes
 *       one token onto the list {@code <key>:wake} (trimmed to one element, expiring after about a
 *       second). A key nobody waits for gets no token: on Redis 6.2 the push made every release a
 *       third dearer, for nothing when locks are not contended.</li>
 *   <li>A contender that won <em>no</em> node (someone else holds the keys on a majority) blocks in
 *       {@code BLPOP} on the wake lists of its keys on its wait node. Redis serves blocked clients first-come
 *       first-served and the single token wakes exactly one of them: the release hands the lock to
 *       the longest waiter, who retries at once, while the others stay parked and put no load on
 *       the nodes.</li>
 *   <li>The token is kept in a list, not published, so a release that happens between a failed
 *       attempt and the {@code BLPOP} is not lost: the waiter returns at once. A stale token costs
 *       one extra attempt.</li>
 *   <li>A contender that won <em>some</em> nodes but not a majority saw a split vote, or a release
 *       still running on the other nodes (the waiter it woke was faster). Nobody may hold the lock,
 *       so nobody will signal: it backs off for a random 0-{@code retryJitter} (5 ms) and retries.
 *       Only these few back off by time; everyone else waits to be woken. If a majority stays held
 *       for more than three such rounds (keys left behind by a late SET), it waits like the rest.</li>
 *   <li>Failed attempts release without waking anyone, so a woken waiter that lost a race neither
 *       hands its turn to the next waiter nor pulls more contenders in; a caller that gives up does
 *       wake one, in case someone queued behind it.</li>
 *   <li>Every wait is bounded by a random fallback poll in {@code [pollMin, pollMax]} and by maxWait,
 *       which covers a holder that crashed without releasing (its keys expire), a lost token, a
 *       waiter count that expired and a wait node that went down (its error ends the wait, and the
 *       next attempt picks another). An over-count (a waiter that left) costs a stale token.
 *       Keep pollMin above the time a full queue takes to drain (waiters x hold time): a waiter whose
 *       poll runs out retries and joins the queue again at its tail.</li>
 *   <li>A node call that misses the per-node timeout is not cut off: its reply is read on in the
 *       background (up to a second); if it later reports that it did set the keys, they are released then.
 *       This closes the window in which a late SET lands after the clean-up and blocks the key for
 *       a whole ttl.</li>
 * </ol>
 * Newcomers may still barge in ahead of a woken waiter; that keeps the lock busy, and the loser just
 * queues again. Fairness is therefore "good enough", not strict FIFO.
 *
 * <h2>The slot gate: the RedLock where there is contention, and only there</h2>
 * {@link shop.lock.SlotGate} puts the RedLock to work where it pays: a resource that many callers
 * want at once. Every caller first asks the resource's <em>home node</em> (picked from the name, the
 * next one round while it does not answer; a node that is only slow keeps its resources):
 * <ol>
 *   <li>The quiet check counts the arrival in a window that starts at its first arrival
 *       ({@code SET NX PX} then {@code INCR}), checks with {@code PTTL} that the count still expires
 *       (a window that ended between the two leaves one that does not; such an arrival goes to the
 *       script, which gives it an expiry) and reads the hot mark: four plain commands in one round
 *       trip, about half the CPU of a script. While the resource is quiet (at most {@code hotAfter}
 *       arrivals in the window, no mark) the caller goes on with no lock at all. One round trip to one
 *       node, no majority: the whole cost of the lock for a goods nobody queues for.</li>
 *   <li>Otherwise the caller enters by script, which sets the hot mark when arrivals exceed
 *       {@code hotAfter} or a queue stands; the mark outlives the burst ({@code hotFor}) and every
 *       queued waiter. A caller that found a resource hot goes straight to the script for it while the
 *       mark would last. A hot resource has {@code slots} slots; each is a RedLock lease on
 *       {@code <resource>#<k>}, acquired on a majority like any other lease, so at most {@code slots}
 *       callers hold the resource at once, whatever any single node remembers. The arrival that turns
 *       a resource hot also keeps one slot out of use for 100 ms per earlier arrival of its window:
 *       those went on without a slot, and may still be in the database.</li>
 *   <li>The home node keeps the slots that are out, the leases parked between holders and a FIFO
 *       queue of waiters. An arrival with nobody queued before it gets a parked lease or a free slot
 *       to acquire, either only while fewer than {@code slots} are out (held, being acquired, or kept
 *       for the quiet arrivals; a parked lease is not out); otherwise it queues and blocks on its own
 *       inbox list. A parked lease outlives the hot mark (it is the next burst's cheap hand-off), so
 *       this count is what keeps a resource that turns hot again from handing its parked leases out
 *       beside the arrivals that went on while it was quiet. A slot kept out of use with
 *       no holder (for the quiet arrivals, or for a lease the node does not know) comes free with nobody
 *       to hand it on: so the first waiters, as many as the slots, are told when the earliest slot's
 *       entry ends, and then serve the queue themselves (one call) instead of at their next poll.</li>
 *   <li>A holder that is done does not delete its lease on every node: it hands it to the oldest live
 *       waiter (a push onto that waiter's inbox), or parks it for the next arrival, in one script on
 *       the home node. A hot resource so costs each order two or three round trips to one node, where
 *       acquire and release cost ten, and the lock's hand-off is FIFO, not a scramble. A lease goes to a
 *       waiter only while fewer than {@code slots} are out without it (always, unless quiet arrivals went
 *       on beside a holder that outlived the hot mark: see the bound below). The script hands
 *       on only a lease the node still holds under the slot's key: one that ran out while its holder
 *       was paused, and whose slot may have been taken again, goes to nobody.</li>
 *   <li>A lease's end is kept on the home node, in that node's clock, from the validity its acquirer
 *       computed (less the per-node timeout, the most the hand-off message can have taken): hops do not
 *       shorten it, and each taker counts the validity it gets from when it entered, which precedes the
 *       grant. A lease past half its ttl is extended on a majority before it is handed on; one that
 *       cannot be is released and its slot given to the next waiter to acquire.</li>
 *   <li>A waiter that times out takes its entry out of the queue, or the grant that reached it first. A
 *       slot whose holder vanished is lost until its lease must have ended ({@code ttl} plus drift and
 *       the per-node timeout); waiters poll their home node at {@code poll} so that such a slot, or a
 *       dead waiter's turn, goes to the next live one.</li>
 *   <li>The home node's state is an accelerator, never the bound: when it forgets everything (a
 *       restart, a fail-over to the next node), the slots' leases still hold their keys on a majority,
 *       so a new acquisition of a slot in use fails and the slot is kept out of use until that lease
 *       must have ended. The cost is a stall of at most one lease ttl for that resource.</li>
 *   <li>Every wait ends with the caller's: a home-node call waits for its reply no longer than the
 *       time left (one per-command timeout at least, so that a caller with none left still gets an
 *       answer; at most the node's longest wait), the quiet check and the queue give up when it has
 *       passed, and a hand-off can be bounded the same way ({@code Pass.close(within)}). A caller whose
 *       time ran out while its home node did not answer is refused {@code QUORUM_UNREACHABLE} (the lock
 *       service failed it), not {@code CONTENDED} (the slots' holders kept it waiting).</li>
 * </ol>
 * Several resources at once: one check per home node says which are hot, and the slots of the hot
 * ones are taken one by one in sorted order, so two callers never wait for each other's slots.
 *
 * <h2>The bound, exactly</h2>
 * The gate grants a slot (a free one, a parked lease, or a lease its holder hands on) only while fewer
 * than {@code slots} are out without it, and counts as out each holder's slot (and each slot being
 * acquired, or kept for a lease the home node does not know) and, for 100 ms from the moment a resource
 * turns hot, one slot
 * per arrival of that window that went on without one (at most {@code hotAfter} and at most
 * {@code slots} of them). So at most {@code slots} callers are in at once, the quiet arrivals counted,
 * provided that:
 * <ul>
 *   <li>each holder is done before its lease ends (see below: a paused holder is not);</li>
 *   <li>each arrival that went on without a slot is done within those 100 ms (nobody tells it to leave;
 *       the gate only counts it that long), and the arrivals of the windows before are done when the
 *       resource turns hot (they are not counted); with {@code hotAfter} above {@code slots}, the quiet
 *       arrivals alone can outnumber the slots;</li>
 *   <li>no holder is still in when the hot mark lapses ({@code hotFor} after the last arrival that
 *       renewed it): the quiet check does not look at the slots, so arrivals then go on beside it.
 *       When the resource turns hot again the gate counts the holder with them and admits nobody, by a
 *       free slot, a parked lease or a hand-off (the holder's lease is parked instead), until fewer
 *       than {@code slots} are out; until then more may be in.</li>
 * </ul>
 * {@code SlotGateRedisTest} drives a resource hot, parks its leases, lets it turn quiet with quiet
 * arrivals still in, and turns it hot again: the parked leases wait for the quiet arrivals' slots; and
 * a holder that outlived the mark parks its lease rather than hand it to a waiter beside them.
 *
 * <h2>What the lock does not promise</h2>
 * As Martin Kleppmann pointed out ("How to do distributed locking", 2016), a holder can be paused
 * (GC, a frozen Lambda, a slow network) past its validity and go on writing after another client has
 * taken the lock; Redlock also trusts clocks to run at roughly the same rate, and a node restarted
 * without persistence forgets the keys it held. So the correctness of stock never depends on this
 * lock: every stock change runs in a database transaction under {@code SELECT ... FOR UPDATE} row
 * locks, which are the safety. The RedLock is efficiency: it keeps contenders for one hot goods
 * queued cheaply in Redis instead of piling up on database connections and row-lock waits.
 */
package shop.lock;
