package shop.platform.config;

import java.util.Arrays;
import java.util.List;

/**
 * RedisConfig lists the independent Redis masters of the RedLock.
 *
 * @param nodes REDIS_NODES, comma-separated {@code host:port}, at least one
 * @param tls   REDIS_TLS, whether to connect with TLS (ElastiCache in-transit encryption), the
 *              server's certificate checked against its host name
 * @param authSecretArn REDIS_AUTH_SECRET_ARN: Secrets Manager secret holding the AUTH token (a
 *              plain string, or JSON with {@code password} and optionally {@code username} for an
 *              ElastiCache RBAC user); empty means no AUTH
 */
public record RedisConfig(List<Node> nodes, boolean tls, java.util.Optional<String> authSecretArn) {

    /** RedisConfig without AUTH. */
    public RedisConfig(List<Node> nodes, boolean tls) {
        this(nodes, tls, java.util.Optional.empty());
    }

    /** Node is one Redis master. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** from reads and validates the Redis variables. */
    public static RedisConfig from(Env env) {
        String raw = env.require("REDIS_NODES");
        List<Node> nodes = Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> parse(s, raw)).toList();
        if (nodes.isEmpty()) {
            throw new ConfigException("REDIS_NODES", "lists no node");
        }
        if (nodes.stream().distinct().count() != nodes.size()) {
            throw new ConfigException("REDIS_NODES", "lists a node twice: '" + raw + "'");
        }
        return new RedisConfig(nodes, env.bool("REDIS_TLS", true), env.optional("REDIS_AUTH_SECRET_ARN"));
    }

    private static Node parse(String hostPort, String raw) {
        int colon = hostPort.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException();
            }
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return new Node(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new ConfigException("REDIS_NODES", "must be host:port,host:port..., not '" + raw + "'");
        }
    }
}
