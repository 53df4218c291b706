package shop.dev;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayCustomAuthorizerEvent;
import com.amazonaws.services.lambda.runtime.events.IamPolicyResponseV1;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import shop.platform.config.Env;

/**
 * ScriptedAuthorizer decides by the token's text: {@code allow-ROLE} allows the whole API,
 * {@code narrow} allows only the method ARN it was called for, {@code deny} denies, {@code reject}
 * throws "Unauthorized" and {@code crash} throws something else.
 */
public final class ScriptedAuthorizer implements RequestHandler<APIGatewayCustomAuthorizerEvent, IamPolicyResponseV1> {
    static final AtomicInteger CALLS = new AtomicInteger();
    static volatile APIGatewayCustomAuthorizerEvent last;

    public ScriptedAuthorizer(Env env) {
    }

    @Override
    public IamPolicyResponseV1 handleRequest(APIGatewayCustomAuthorizerEvent event, Context context) {
        CALLS.incrementAndGet();
        last = event;
        String token = event.getAuthorizationToken().substring("Bearer ".length());
        String apiArn = event.getMethodArn().substring(0, event.getMethodArn().indexOf('/')) + "/prod/*";
        return switch (token) {
            case "reject" -> throw new RuntimeException("Unauthorized");
            case "crash" -> throw new IllegalStateException("database down");
            case "deny" -> policy("u-deny", IamPolicyResponseV1.denyStatement(apiArn), Map.of());
            case "narrow" -> policy("u-narrow", IamPolicyResponseV1.allowStatement(event.getMethodArn()), Map.of("roles", "admin"));
            default -> policy("u-" + token, IamPolicyResponseV1.allowStatement(apiArn),
                    Map.of("roles", token.replace("allow-", ""), "level", 3));
        };
    }

    private static IamPolicyResponseV1 policy(String principal, IamPolicyResponseV1.Statement statement,
                                              Map<String, Object> context) {
        return IamPolicyResponseV1.builder().withPrincipalId(principal)
                .withPolicyDocument(IamPolicyResponseV1.PolicyDocument.builder()
                        .withVersion(IamPolicyResponseV1.VERSION_2012_10_17).withStatement(List.of(statement)).build())
                .withContext(context).build();
    }
}
