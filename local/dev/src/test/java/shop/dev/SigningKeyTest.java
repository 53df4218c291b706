package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeyTest {
    @TempDir
    Path dir;

    @Test
    void mintedToken_verifiesAgainstTheJwks_withTheLocalClaims() throws Exception {
        SigningKey key = SigningKey.loadOrCreate(dir.resolve("k.json"));
        Instant now = Instant.now();
        SignedJWT jwt = SignedJWT.parse(key.mint("service", "orders", Duration.ofSeconds(60), now));

        RSAKey publicKey = (RSAKey) JWKSet.parse(key.jwks()).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertFalse(publicKey.isPrivate(), "the JWKS must not leak the private key");
        assertTrue(jwt.verify(new RSASSAVerifier(publicKey)));
        assertEquals("RS256", jwt.getHeader().getAlgorithm().getName());
        var claims = jwt.getJWTClaimsSet();
        assertEquals("shop-local", claims.getIssuer());
        assertEquals(List.of("shop-api"), claims.getAudience());
        assertEquals("orders", claims.getSubject());
        assertEquals(List.of("service"), claims.getStringListClaim("roles"));
        assertEquals(now.plusSeconds(60).getEpochSecond(), claims.getExpirationTime().toInstant().getEpochSecond());
    }

    @Test
    void keyFile_isReused_andConcurrentCreatorsAgreeOnOneKey() throws Exception {
        Path file = dir.resolve("sub/k.json");
        try (var pool = Executors.newFixedThreadPool(4)) {
            Callable<String> load = () -> SigningKey.loadOrCreate(file).keyId();
            var kids = pool.invokeAll(List.of(load, load, load, load)).stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).distinct().toList();
            assertEquals(1, kids.size(), "creators disagree: " + kids);
        }
        assertEquals(SigningKey.loadOrCreate(file).keyId(), SigningKey.loadOrCreate(file).keyId());
        assertTrue(Files.readString(file).contains("\"d\""), "the file keeps the private part");
    }

    @Test
    void corruptKeyFile_failsNamingTheFile() throws Exception {
        Path file = dir.resolve("bad.json");
        Files.writeString(file, "{}");
        var e = assertThrows(IllegalStateException.class, () -> SigningKey.loadOrCreate(file));
        assertTrue(e.getMessage().contains(file.toString()));
    }
}
