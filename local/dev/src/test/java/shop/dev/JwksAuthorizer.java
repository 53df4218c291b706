package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import shop.platform.config.Env;

/**
 * JwksAuthorizer is a minimal JWT authorizer for the end-to-end test: it checks tokens against the
 * JWKS_URL, JWT_ISSUER and JWT_AUDIENCE the runner gives it, which proves the local wiring.
 */
public final class JwksAuthorizer implements RequestHandler<APIGatewayCustomAuthorizerEvent, IamPolicyResponseV1> {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    public JwksAuthorizer(Env env) throws Exception {
        var keys = JWKSourceBuilder.create(URI.create(env.require("JWKS_URL")).toURL()).build();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(env.require("JWT_AUDIENCE"),
                new JWTClaimsSet.Builder().issuer(env.require("JWT_ISSUER")).build(), Set.of("sub", "exp")));
    }

    @Override
    public IamPolicyResponseV1 handleRequest(APIGatewayCustomAuthorizerEvent event, Context context) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(event.getAuthorizationToken().substring("Bearer ".length()), null);
        } catch (Exception e) {
            throw new RuntimeException("Unauthorized");
        }
        String apiArn = event.getMethodArn().substring(0, event.getMethodArn().indexOf('/')) + "/*";
        return IamPolicyResponseV1.builder().withPrincipalId(claims.getSubject())
                .withPolicyDocument(IamPolicyResponseV1.PolicyDocument.builder()
                        .withVersion(IamPolicyResponseV1.VERSION_2012_10_17)
                        .withStatement(List.of(IamPolicyResponseV1.allowStatement(apiArn))).build())
                .withContext(Map.of("roles", String.join(",", roles(claims))))
                .build();
    }

    private static List<String> roles(JWTClaimsSet claims) {
        try {
            List<String> roles = claims.getStringListClaim("roles");
            return roles == null ? List.of() : roles;
        } catch (java.text.ParseException e) {
            return List.of();
        }
    }
}
