package shop.platform.db;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.CloudFormationCustomResourceEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.platform.config.AwsConfig;
import shop.platform.config.DbConfig;
import shop.platform.config.Env;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.lambda.powertools.cloudformation.AbstractCustomResourceHandler;
import software.amazon.lambda.powertools.cloudformation.Response;

/**
 * MigrateHandler is the deploy step that applies the schema migrations: CloudFormation calls it
 * through the {@code DatabaseSchema} custom resource on every deploy that changes the code, and
 * Powertools' custom-resource handler answers CloudFormation (always, so a stack never hangs).
 *
 * <ul>
 *   <li>Create and Update migrate and answer {@code SchemaVersion} (the latest migration applied)
 *       and {@code MigrationsApplied}. Every traffic-taking function of the template reads
 *       {@code SchemaVersion} into its environment, so no function, new version or alias of the
 *       deploy moves before this succeeded.</li>
 *   <li>A failed migration answers FAILED with the reason: the stack rolls back and the old code
 *       keeps serving, on the old aliases.</li>
 *   <li>The Update that CloudFormation sends while rolling back (the properties of the previous
 *       deploy: a lower {@code CodeVersion}) migrates nothing: Flyway cannot undo, and a failed
 *       migration would fail again and leave the stack in UPDATE_ROLLBACK_FAILED. The schema stays
 *       where the deploy left it; migrations are additive, so the old code runs on it.</li>
 *   <li>Delete leaves the data alone.</li>
 * </ul>
 */
public final class MigrateHandler extends AbstractCustomResourceHandler {
    private static final Logger LOG = LoggerFactory.getLogger(MigrateHandler.class);
    /** PHYSICAL_ID names the one schema this resource stands for. */
    static final String PHYSICAL_ID = "database-schema";
    private final Supplier<DataSource> dataSource;

    /** Lambda's constructor. */
    public MigrateHandler() {
        this(Env.system());
    }

    /** The local runner's constructor. */
    public MigrateHandler(Env env) {
        this(pool(env), UrlConnectionHttpClient.create());
    }

    /** Tests' constructor: a pool per request, and the client that answers the response URL. */
    MigrateHandler(Supplier<DataSource> dataSource, SdkHttpClient http) {
        super(http);
        this.dataSource = dataSource;
    }

    private static Supplier<DataSource> pool(Env env) {
        DbConfig db = DbConfig.from(env);
        AwsConfig aws = AwsConfig.from(env);
        return () -> Database.pool(db, aws, "migrate");
    }

    @Override
    protected Response create(CloudFormationCustomResourceEvent event, Context context) {
        return migrate(event, context);
    }

    @Override
    protected Response update(CloudFormationCustomResourceEvent event, Context context) {
        if (isRollback(event)) {
            return withSchema(event, context, ds -> {
                LOG.warn("rollback to code version {}: migrating nothing; the schema stays at {}",
                        event.getResourceProperties().get("CodeVersion"), Migrations.currentVersion(ds));
                return 0;
            });
        }
        return migrate(event, context);
    }

    @Override
    protected Response delete(CloudFormationCustomResourceEvent event, Context context) {
        return Response.success(physicalId(event));
    }

    private Response migrate(CloudFormationCustomResourceEvent event, Context context) {
        return withSchema(event, context, Migrations::migrate);
    }

    /** withSchema runs work on a fresh pool and answers the schema version it leaves, or FAILED. */
    private Response withSchema(CloudFormationCustomResourceEvent event, Context context,
                                java.util.function.ToIntFunction<DataSource> work) {
        return software.amazon.lambda.powertools.logging.PowertoolsLogging.withLogging(context,
                () -> withSchemaLogged(event, context, work));
    }

    private Response withSchemaLogged(CloudFormationCustomResourceEvent event, Context context,
                                      java.util.function.ToIntFunction<DataSource> work) {
        DataSource ds = null;
        try {
            ds = dataSource.get();
            int applied = work.applyAsInt(ds);
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("SchemaVersion", Migrations.currentVersion(ds));
            data.put("MigrationsApplied", applied);
            LOG.info("schema at version {} ({} migrations applied)", data.get("SchemaVersion"), applied);
            return Response.builder().status(Response.Status.SUCCESS).physicalResourceId(physicalId(event))
                    .value(data).build();
        } catch (RuntimeException e) {
            LOG.error("migration failed", e);
            String reason = "Migration failed: " + e.getMessage() + " (see log stream "
                    + (context == null ? "" : context.getLogStreamName()) + ")";
            return Response.builder().status(Response.Status.FAILED).physicalResourceId(physicalId(event))
                    .reason(reason.length() > 3000 ? reason.substring(0, 3000) : reason).build();
        } finally {
            if (ds != null) {
                Database.close(ds);
            }
        }
    }

    /**
     * isRollback tells the Update of a rollback: CloudFormation sends the previous deploy's
     * properties, whose CodeVersion (MigrateFunction's published version) is lower than the one
     * that failed. Lambda numbers versions upwards, never reusing one.
     */
    static boolean isRollback(CloudFormationCustomResourceEvent event) {
        OptionalLong to = versionNumber(event.getResourceProperties());
        OptionalLong from = versionNumber(event.getOldResourceProperties());
        return to.isPresent() && from.isPresent() && to.getAsLong() < from.getAsLong();
    }

    private static OptionalLong versionNumber(Map<String, Object> properties) {
        Object v = properties == null ? null : properties.get("CodeVersion");
        if (v == null) {
            return OptionalLong.empty();
        }
        String s = v.toString();
        try {
            return OptionalLong.of(Long.parseLong(s.substring(s.lastIndexOf(':') + 1)));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String physicalId(CloudFormationCustomResourceEvent event) {
        return event.getPhysicalResourceId() != null ? event.getPhysicalResourceId() : PHYSICAL_ID;
    }
}
