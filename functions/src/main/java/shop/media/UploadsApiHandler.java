package shop.media;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import shop.platform.auth.Caller;
import shop.platform.aws.AwsClients;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.db.Database;
import shop.platform.http.ApiHandler;
import shop.platform.http.ApiRequest;
import shop.platform.http.ApiResponse;
import shop.platform.http.Cors;
import shop.platform.http.Router;
import shop.platform.idempotency.DynamoIdempotencyStore;
import shop.platform.idempotency.Idempotency;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * UploadsApiHandler is UploadsApiFunction: {@code POST /uploads} issues a presigned S3 PUT for one
 * image of a goods, banner or brand (honouring {@code Idempotency-Key}), and
 * {@code GET /uploads/{uploadId}} reports what became of it. Both need role admin.
 */
public final class UploadsApiHandler extends ApiHandler {

    /** Lambda's constructor: wires everything from the process environment. */
    public UploadsApiHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public UploadsApiHandler(Env env) {
        this(wire(env), Cors.from(env));
    }

    private UploadsApiHandler(Wired w, Cors cors) {
        this(w.service(), w.idempotency(), cors);
        // An unknown upload id reads DynamoDB and answers 404: the status route's whole path, no writes.
        primeForSnapStart("uploads-api", List.of(primingRequest("GET", "/uploads/{uploadId}",
                Map.of("uploadId", "00000000-0000-0000-0000-000000000000"), "admin")), w.dataSource());
    }

    /** Tests' constructor. */
    UploadsApiHandler(UploadService service, Idempotency idempotency) {
        this(service, idempotency, Cors.ANY);
    }

    private UploadsApiHandler(UploadService service, Idempotency idempotency, Cors cors) {
        super(routes(service, idempotency), cors);
    }

    private record Wired(UploadService service, Idempotency idempotency, javax.sql.DataSource dataSource) {
    }

    private static Wired wire(Env env) {
        MediaConfig.Api cfg = MediaConfig.Api.from(env);
        AwsConfig aws = AwsConfig.from(env);
        DbConfig db = DbConfig.from(env);
        DynamoDbClient dynamo = AwsClients.dynamo(aws);
        javax.sql.DataSource pool = Database.pool(db, aws, "uploads-api");
        UploadService service = new UploadService(new DynamoUploadTicketRepository(dynamo, cfg.ticketsTable()),
                new JdbcTargetRepository(pool),
                new S3ObjectStore(null, AwsClients.presigner(aws), cfg.bucket()),
                new UploadService.Limits(cfg.maxBytes(), cfg.urlTtl()), Clock.systemUTC());
        Idempotency idempotency = new Idempotency(new DynamoIdempotencyStore(dynamo, cfg.idempotencyTable(),
                Duration.ofHours(24), Duration.ofSeconds(60)), Clock.systemUTC());
        return new Wired(service, idempotency, pool);
    }

    private static Router routes(UploadService service, Idempotency idempotency) {
        return new Router()
                .route("POST", "/uploads", request -> {
                    Caller caller = request.caller().require(Caller.ADMIN);
                    return idempotency.run(request, uploadId -> {
                        var issued = service.issue(request.body(UploadService.UploadRequest.class), caller.subject(),
                                uploadId);
                        shop.platform.metrics.Metrics.get().count("UploadsIssued");
                        return ApiResponse.created(issued, "/uploads/" + issued.uploadId());
                    });
                })
                .route("GET", "/uploads/{uploadId}", (ApiRequest request) -> {
                    request.caller().require(Caller.ADMIN);
                    request.rejectUnknownQuery(java.util.Set.of());
                    return ApiResponse.ok(service.status(request.pathParam("uploadId")));
                });
    }
}
