package shop.auth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.config.Env;

/**
 * JwtAuthorizerHandler is the API's TOKEN authorizer. A valid token gets an Allow policy for the
 * whole stage (so API Gateway may cache it across routes for ReauthorizeEvery) with the roles in
 * the context; handlers check the role each route needs. Anything else is API Gateway's
 * {@code Unauthorized} (a 401), whose reason is logged, never returned.
 */
public final class JwtAuthorizerHandler implements RequestHandler<APIGatewayCustomAuthorizerEvent, IamPolicyResponseV1> {
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthorizerHandler.class);
    private final TokenVerifier verifier;

    /** Lambda's constructor: configuration from the environment. */
    public JwtAuthorizerHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public JwtAuthorizerHandler(Env env) {
        this(TokenVerifier.fromConfig(AuthConfig.from(env)));
    }

    /** Tests' constructor. */
    public JwtAuthorizerHandler(TokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public IamPolicyResponseV1 handleRequest(APIGatewayCustomAuthorizerEvent event, Context context) {
        return software.amazon.lambda.powertools.logging.PowertoolsLogging.withLogging(context, () -> authorize(event));
    }

    private IamPolicyResponseV1 authorize(APIGatewayCustomAuthorizerEvent event) {
        String header = event.getAuthorizationToken();
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw unauthorized("no bearer token");
        }
        TokenVerifier.Verified verified;
        try {
            verified = verifier.verify(header.substring(7).trim());
        } catch (TokenVerifier.InvalidTokenException e) {
            throw unauthorized(e.getMessage());
        }
        String roles = String.join(",", new TreeSet<>(verified.roles()));
        return IamPolicyResponseV1.builder()
                .withPrincipalId(verified.subject())
                .withPolicyDocument(IamPolicyResponseV1.PolicyDocument.builder()
                        .withVersion(IamPolicyResponseV1.VERSION_2012_10_17)
                        .withStatement(List.of(IamPolicyResponseV1.allowStatement(stageWildcard(event.getMethodArn()))))
                        .build())
                .withContext(Map.of("roles", roles))
                .build();
    }

    /**
     * stageWildcard turns {@code arn:aws:execute-api:R:A:api/stage/GET/goods} into
     * {@code arn:aws:execute-api:R:A:api/stage/*}: every method and path of the stage.
     */
    static String stageWildcard(String methodArn) {
        if (methodArn == null) {
            throw unauthorized("no methodArn");
        }
        String[] arn = methodArn.split(":", 6);
        if (arn.length < 6) {
            throw unauthorized("malformed methodArn");
        }
        String[] path = arn[5].split("/", 3);
        if (path.length < 2) {
            throw unauthorized("malformed methodArn");
        }
        return String.join(":", arn[0], arn[1], arn[2], arn[3], arn[4], path[0] + "/" + path[1] + "/*");
    }

    private static RuntimeException unauthorized(String reason) {
        LOG.info("token refused: {}", reason);
        // API Gateway answers 401 exactly when the authorizer fails with this message.
        return new RuntimeException("Unauthorized");
    }
}
