package shop.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * SigningKey is the local token issuer's RSA 2048 key, kept as a JWK (private part included) in
 * {@code .stack/dev-signing-key.json} so that tokens minted by {@code ./dev token} before or after
 * {@code ./dev start} verify against the JWKS the runner serves. The first process to need it
 * creates it; a concurrent second one reads the first's (the file is published with a hard link,
 * which fails if it exists).
 */
final class SigningKey {
    /** ISSUER is the {@code iss} of local tokens and the JWT_ISSUER the local authorizer expects. */
    static final String ISSUER = "shop-local";
    /** AUDIENCE is the {@code aud} of local tokens. */
    static final String AUDIENCE = "shop-api";

    private final RSAKey key;

    private SigningKey(RSAKey key) {
        this.key = key;
    }

    /** loadOrCreate reads the key at {@code file}, creating it first when missing. */
    static SigningKey loadOrCreate(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                RSAKey fresh = new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
                        .keyID("dev-" + UUID.randomUUID().toString().substring(0, 8)).generate();
                Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".dev-signing-key", ".tmp");
                Files.writeString(temp, fresh.toJSONString(), StandardCharsets.UTF_8);
                try {
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException e) {
                    // Another process won the race; use its key.
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            return new SigningKey(RSAKey.parse(Files.readString(file, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the signing key " + file, e);
        } catch (JOSEException | ParseException e) {
            throw new IllegalStateException("the signing key " + file + " is not a private RSA JWK; delete it to get a new one", e);
        }
    }

    /** keyId returns the key's {@code kid}. */
    String keyId() {
        return key.getKeyID();
    }

    /** jwks returns the public JWK set, as served at /.well-known/jwks.json. */
    String jwks() {
        return new JWKSet(key.toPublicJWK()).toString();
    }

    /**
     * mint returns a signed bearer token (RS256, kid) for {@code sub} with {@code roles: [role]}.
     *
     * @param ttl how long it is valid from {@code now}; negative gives an already expired token
     */
    String mint(String role, String subject, Duration ttl, Instant now) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString())
                .claim("roles", List.of(role))
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token with " + key.getKeyID(), e);
        }
        return jwt.serialize();
    }
}
