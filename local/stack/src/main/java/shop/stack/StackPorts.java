package shop.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * StackPorts says where the embedded servers listen. By default each takes a free port on
 * 127.0.0.1, so that parallel builds never collide. With {@code SHOP_STACK_PORTS=fixed}
 * ({@code ./dev start --fixed-ports}) they listen on the documented ports below, which
 * {@code events/env.local.json} names, so that a {@code sam local invoke} container reaches them at
 * {@code host.docker.internal}. {@code SHOP_STACK_BIND=0.0.0.0} ({@code --bind 0.0.0.0}) makes them
 * listen on every interface, which Docker on Linux needs (its containers come from the bridge
 * network, not from the host's loopback); Docker Desktop reaches 127.0.0.1 as it is.
 *
 * @param db     MariaDB's port, 0 for a free one
 * @param redis  the Redis nodes' ports, empty for free ones
 * @param s3     S3Mock's port, 0 for a free one
 * @param dynamo dynalite's port, 0 for a free one
 * @param cdn    the images distribution's stand-in's port, 0 for a free one
 * @param bind   the address the servers listen on: 127.0.0.1 or 0.0.0.0
 */
public record StackPorts(int db, List<Integer> redis, int s3, int dynamo, int cdn, String bind) {
    /** DB is MariaDB's fixed port. */
    public static final int DB = 13306;
    /** REDIS_FIRST is the first Redis node's fixed port; node i listens on REDIS_FIRST + i. */
    public static final int REDIS_FIRST = 16379;
    /** S3 is S3Mock's fixed port. */
    public static final int S3 = 19090;
    /** DYNAMODB is dynalite's fixed port. */
    public static final int DYNAMODB = 18000;
    /** CDN is the fixed port of the stand-in of the images distribution (PUBLIC_IMAGE_BASE_URL). */
    public static final int CDN = 19091;
    /** LOOPBACK and ALL_INTERFACES are the two bind addresses. */
    public static final String LOOPBACK = "127.0.0.1";
    public static final String ALL_INTERFACES = "0.0.0.0";

    /** Validates the bind address. */
    public StackPorts {
        if (!LOOPBACK.equals(bind) && !ALL_INTERFACES.equals(bind)) {
            throw new IllegalArgumentException("SHOP_STACK_BIND must be " + LOOPBACK + " or " + ALL_INTERFACES
                    + ", not '" + bind + "'");
        }
        redis = List.copyOf(redis);
    }

    /** from reads SHOP_STACK_PORTS (free or fixed) and SHOP_STACK_BIND from the environment. */
    public static StackPorts from(Map<String, String> env, int redisCount) {
        String mode = env.getOrDefault("SHOP_STACK_PORTS", "free").trim();
        String bind = env.getOrDefault("SHOP_STACK_BIND", LOOPBACK).trim();
        return switch (mode) {
            case "free", "" -> new StackPorts(0, List.of(), 0, 0, 0, bind);
            case "fixed" -> {
                List<Integer> redis = new ArrayList<>();
                for (int i = 0; i < redisCount; i++) {
                    redis.add(REDIS_FIRST + i);
                }
                yield new StackPorts(DB, redis, S3, DYNAMODB, CDN, bind);
            }
            default -> throw new IllegalArgumentException("SHOP_STACK_PORTS must be free or fixed, not '" + mode + "'");
        };
    }

    /** fixed tells whether the servers take the documented ports. */
    public boolean fixed() {
        return db != 0;
    }

    /** allInterfaces tells whether the servers listen beyond the loopback. */
    public boolean allInterfaces() {
        return ALL_INTERFACES.equals(bind);
    }
}
