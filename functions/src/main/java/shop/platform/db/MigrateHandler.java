package shop.platform.db;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import shop.platform.json.Json;

/**
 * MigrateHandler is the deploy step that applies the schema migrations: CloudFormation calls it
 * through the {@code DatabaseSchema} custom resource on every deploy that changes the code. Create
 * and Update migrate; Delete leaves the data alone. It always answers CloudFormation, with FAILED
 * and the reason when the migration fails, so a stack never hangs waiting for it.
 */
public final class MigrateHandler implements RequestHandler<CloudFormationCustomResourceEvent, Map<String, Object>> {
    private static final Logger LOG = LoggerFactory.getLogger(MigrateHandler.class);
    private final Supplier<DataSource> dataSource;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** Lambda's constructor. */
    public MigrateHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public MigrateHandler(Env env) {
        DbConfig db = DbConfig.from(env);
        AwsConfig aws = AwsConfig.from(env);
        this.dataSource = () -> Database.pool(db, aws, "migrate");
    }

    @Override
    public Map<String, Object> handleRequest(CloudFormationCustomResourceEvent event, Context context) {
        String status = "SUCCESS";
        String reason = "";
        Map<String, Object> data = new LinkedHashMap<>();
        try {
            if (!"Delete".equals(event.getRequestType())) {
                DataSource ds = dataSource.get();
                try {
                    data.put("MigrationsApplied", Migrations.migrate(ds));
                } finally {
                    Database.close(ds);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("migration failed", e);
            status = "FAILED";
            reason = "Migration failed: " + e.getMessage() + " (see log stream "
                    + (context == null ? "" : context.getLogStreamName()) + ")";
        }
        Map<String, Object> response = new LinkedHashMap<>();
        response.put("Status", status);
        response.put("Reason", reason.length() > 3000 ? reason.substring(0, 3000) : reason);
        response.put("PhysicalResourceId", event.getPhysicalResourceId() != null ? event.getPhysicalResourceId()
                : "database-schema");
        response.put("StackId", event.getStackId());
        response.put("RequestId", event.getRequestId());
        response.put("LogicalResourceId", event.getLogicalResourceId());
        response.put("Data", data);
        if (event.getResponseUrl() != null) {
            send(event.getResponseUrl(), Json.write(response));
        }
        return response;
    }

    private void send(String url, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "").PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() >= 300) {
                LOG.error("CloudFormation response PUT answered {}", r.statusCode());
            }
        } catch (java.io.IOException e) {
            LOG.error("CloudFormation response PUT failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
