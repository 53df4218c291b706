package shop.platform.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;
import shop.platform.aws.CachedSecret;
import shop.platform.json.Json;
import shop.platform.snapstart.SnapshotSensitive;

/**
 * DbLogin is where a pool takes the user and password of each new connection: fixed ones (local), or
 * a Secrets Manager secret of RDS's shape {@code {"username": ..., "password": ...}}, cached with an
 * expiry and read again when the database refuses them (a rotation).
 */
public sealed interface DbLogin extends SnapshotSensitive {

    /** Credentials are one user and password; toString never shows the password. */
    record Credentials(String user, String password) {
        public Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[user=" + user + "]";
        }
    }

    /** current returns the credentials to log in with now. */
    Credentials current();

    /**
     * refresh is called after the database refused {@code refused}: it returns newer credentials, or
     * empty when there are none (the refusal is then the answer).
     */
    Optional<Credentials> refresh(Credentials refused);

    /** fixed is a login that never changes (DB_USER and DB_PASSWORD). */
    static DbLogin fixed(String user, String password) {
        return new Fixed(new Credentials(user, password));
    }

    /** fromSecret reads the credentials from a cached secret. */
    static DbLogin fromSecret(CachedSecret secret) {
        return new FromSecret(secret);
    }

    /** Fixed credentials. */
    record Fixed(Credentials credentials) implements DbLogin {
        @Override
        public Credentials current() {
            return credentials;
        }

        @Override
        public Optional<Credentials> refresh(Credentials refused) {
            return Optional.empty();
        }
    }

    /** Credentials from a Secrets Manager secret. */
    final class FromSecret implements DbLogin {
        private final CachedSecret secret;

        FromSecret(CachedSecret secret) {
            this.secret = Objects.requireNonNull(secret, "secret");
        }

        @Override
        public Credentials current() {
            return parse(secret.value());
        }

        @Override
        public Optional<Credentials> refresh(Credentials refused) {
            Credentials now = parse(secret.refresh(json(refused)));
            return now.equals(refused) ? Optional.empty() : Optional.of(now);
        }

        @Override
        public void beforeSnapshot() {
            secret.beforeSnapshot();
        }

        /** secret is where the credentials come from. */
        public CachedSecret secret() {
            return secret;
        }

        // The cached secret compares raw strings: give it back the string the refused credentials came from.
        private String json(Credentials c) {
            String cached = secret.value();
            return parse(cached).equals(c) ? cached : "";
        }

        private Credentials parse(String json) {
            try {
                JsonNode node = Json.MAPPER.readTree(json);
                String user = node.path("username").asText("");
                String password = node.path("password").asText("");
                if (user.isEmpty()) {
                    throw new IllegalStateException("secret " + secret.secretId() + " has no \"username\"");
                }
                return new Credentials(user, password);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("secret " + secret.secretId()
                        + " is not a JSON {\"username\", \"password\"} secret", e);
            }
        }
    }
}
