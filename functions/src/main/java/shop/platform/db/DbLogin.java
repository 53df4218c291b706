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
 * expiry and read again when the database refuses them (a rotation), its {@code AWSPENDING} version
 * standing in while a single-user rotation has changed the password but not yet the secret's
 * {@code AWSCURRENT}.
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

    /** accepted is called when the database accepted credentials that {@link #refresh} returned. */
    default void accepted(Credentials credentials) {
    }

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

    /**
     * Credentials from a Secrets Manager secret. A refused login reads {@code AWSCURRENT} again; when
     * it still holds the refused password, a single-user rotation (RDS's default strategy) is between
     * its {@code setSecret} step, which changed the password on the database, and {@code finishSecret},
     * which will move {@code AWSCURRENT} to it: for those seconds the current secret is wrong and
     * {@code AWSPENDING} is right. Once the database accepted the pending credentials they stand in
     * for that {@code AWSCURRENT} value, so later connections log in at the first try; they stop
     * standing in as soon as {@code AWSCURRENT} reads differently (the rotation finished, or another
     * began), or when the database refuses them too.
     */
    final class FromSecret implements DbLogin {
        private final CachedSecret secret;
        private volatile StandIn standIn;

        /** StandIn is pending credentials the database accepted while AWSCURRENT was {@code current}. */
        private record StandIn(String current, Credentials credentials) {
        }

        FromSecret(CachedSecret secret) {
            this.secret = Objects.requireNonNull(secret, "secret");
        }

        @Override
        public Credentials current() {
            String current = secret.value();
            StandIn s = standIn;
            if (s != null && s.current().equals(current)) {
                return s.credentials();
            }
            return parse(current);
        }

        @Override
        public Optional<Credentials> refresh(Credentials refused) {
            StandIn s = standIn;
            String current;
            if (s != null && s.credentials().equals(refused)) {
                // The stand-in was refused too: forget it, and read AWSCURRENT again.
                standIn = null;
                current = secret.refresh(s.current());
            } else {
                current = secret.refresh(json(refused));
            }
            Credentials now = parse(current);
            if (!now.equals(refused)) {
                return Optional.of(now);
            }
            // AWSCURRENT still holds the refused password: a single-user rotation between setSecret and finishSecret?
            return secret.pending().map(this::parse).filter(pending -> !pending.equals(refused));
        }

        @Override
        public void accepted(Credentials credentials) {
            String current = secret.value();
            if (!parse(current).equals(credentials)) {
                standIn = new StandIn(current, credentials);
            }
        }

        @Override
        public void beforeSnapshot() {
            standIn = null;
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
