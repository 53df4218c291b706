/**
 * The Jedis adapter of {@code shop.lock}: {@link shop.lock.jedis.JedisLockNode} runs the lock's
 * Lua scripts and its BLPOP wake-up on one Redis master. Nothing else in the code base imports
 * Jedis for locking.
 */
package shop.lock.jedis;
