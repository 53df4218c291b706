package shop.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The authorizer lets through exactly the tokens the issuer signed for this audience, unexpired. */
class JwtAuthorizerHandlerTest {
    private static final String ISSUER = "https://issuer.example";
    private static final String AUDIENCE = "shop-api";
    private static final String METHOD_ARN = "arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/POST/brands";
    private static final RSAKey KEY = generate("k1");
    private static final RSAKey OTHER_KEY = generate("k1");
    private final JwtAuthorizerHandler handler = new JwtAuthorizerHandler(
            new TokenVerifier(new ImmutableJWKSet<>(new JWKSet(KEY.toPublicJWK())), ISSUER, AUDIENCE));

    private static RSAKey generate(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(RSAKey key, Consumer<JWTClaimsSet.Builder> customise) throws JOSEException {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("alice")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                .claim("roles", List.of("admin"));
        customise.accept(claims);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                claims.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private IamPolicyResponseV1 authorize(String header) {
        return handler.handleRequest(APIGatewayCustomAuthorizerEvent.builder().withType("TOKEN")
                .withAuthorizationToken(header).withMethodArn(METHOD_ARN).build(), null);
    }

    private void assertUnauthorized(String header) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> authorize(header));
        assertEquals("Unauthorized", e.getMessage());
    }

    @Test
    void validToken_isAllowedOnTheWholeStage_withItsRoles() throws Exception {
        IamPolicyResponseV1 policy = authorize("Bearer " + token(KEY, c -> c.claim("roles", List.of("admin", "service"))));
        assertEquals("alice", policy.getPrincipalId());
        assertEquals(Map.of("roles", "admin,service"), policy.getContext());
        @SuppressWarnings("unchecked")
        var statements = (Map<String, Object>[]) policy.getPolicyDocument().get("Statement");
        assertEquals(1, statements.length);
        assertEquals("Allow", statements[0].get("Effect"));
        assertEquals("execute-api:Invoke", statements[0].get("Action"));
        assertEquals("arn:aws:execute-api:eu-central-1:123456789012:abc123/prod/*",
                String.join(",", (String[]) statements[0].get("Resource")));
    }

    @Test
    void cognitoGroupsAndClientId_areAccepted_unknownRolesDropped() throws Exception {
        IamPolicyResponseV1 policy = authorize("Bearer " + token(KEY, c -> c.audience((String) null)
                .claim("client_id", AUDIENCE).claim("roles", null).claim("cognito:groups", List.of("service", "root"))));
        assertEquals(Map.of("roles", "service"), policy.getContext());
    }

    @Test
    void expiredToken_isUnauthorized() throws Exception {
        assertUnauthorized("Bearer " + token(KEY, c -> c.expirationTime(Date.from(Instant.now().minusSeconds(120)))));
    }

    @Test
    void tokenSignedByAnotherKey_isUnauthorized() throws Exception {
        assertUnauthorized("Bearer " + token(OTHER_KEY, c -> { }));
    }

    @Test
    void wrongAudienceOrIssuer_isUnauthorized() throws Exception {
        assertUnauthorized("Bearer " + token(KEY, c -> c.audience("someone-else")));
        assertUnauthorized("Bearer " + token(KEY, c -> c.issuer("https://evil.example")));
    }

    @Test
    void missingOrMalformedToken_isUnauthorized() throws Exception {
        assertUnauthorized(null);
        assertUnauthorized("");
        assertUnauthorized("Basic YWxpY2U6c2VjcmV0");
        assertUnauthorized("Bearer not.a.jwt");
        String valid = token(KEY, c -> { });
        assertUnauthorized("Bearer " + valid.substring(0, valid.length() - 4) + "AAAA");
    }

    @Test
    void unsignedToken_isUnauthorized() throws Exception {
        String payload = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"x\",\"roles\":[\"admin\"],\"exp\":"
                        + (Instant.now().getEpochSecond() + 300) + ",\"iat\":" + Instant.now().getEpochSecond() + "}")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertUnauthorized("Bearer eyJhbGciOiJub25lIn0." + payload + ".");
    }

    @Test
    void stageWildcard_coversEveryRouteOfTheStage() {
        assertEquals("arn:aws:execute-api:us-east-1:1:api/dev/*",
                JwtAuthorizerHandler.stageWildcard("arn:aws:execute-api:us-east-1:1:api/dev/GET/goods/{id}"));
    }
}
