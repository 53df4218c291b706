package shop.dev;

/** LocalAws holds the made-up account, region and ids the runner puts into events and ARNs. */
final class LocalAws {
    /** REGION of every ARN and event the runner makes. */
    static final String REGION = "us-east-1";
    /** ACCOUNT is the all-zero account id local tools use. */
    static final String ACCOUNT = "000000000000";
    /** API_ID stands in for the REST API id in method ARNs and request contexts. */
    static final String API_ID = "local";
    /** STACK_NAME is what {@code AWS::StackName} resolves to. */
    static final String STACK_NAME = "shop-local";

    private LocalAws() {
    }
}
