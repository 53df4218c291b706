package shop.dev;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import shop.stack.Template;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * S3Bridge stands in for S3 event notifications, which the local S3 (S3Mock) cannot send: it lists
 * each subscribed bucket prefix every {@code interval} (ListObjectsV2) and, for every object that is
 * new or changed since the last listing (key, ETag and LastModified compared, so an overwrite fires
 * again), delivers the S3 event real S3 would send to the subscribed function, asynchronously with
 * Lambda's retries. Objects present when the bridge starts do not fire.
 */
final class S3Bridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("shop.dev.s3");

    /**
     * Subscription is one function's {@code Type: S3} event.
     *
     * @param functionId      the function to invoke
     * @param configurationId the event's name in the template (S3 puts it in the record)
     * @param bucket          the local bucket name
     * @param prefix          the key prefix filter ("" for none)
     * @param suffix          the key suffix filter ("" for none)
     */
    record Subscription(String functionId, String configurationId, String bucket, String prefix, String suffix) {
    }

    private record Seen(String eTag, Instant lastModified, long size) {
    }

    private final S3Client s3;
    private final List<Subscription> subscriptions;
    private final Duration interval;
    private final AsyncInvoker invoker;
    private final Clock clock;
    private final Map<Subscription, Map<String, Seen>> seen = new HashMap<>();
    private final AtomicLong sequencer;
    private final Thread poller;
    private volatile boolean running = true;

    S3Bridge(S3Client s3, List<Subscription> subscriptions, Duration interval, AsyncInvoker invoker, Clock clock) {
        this.s3 = s3;
        this.subscriptions = List.copyOf(subscriptions);
        this.interval = interval;
        this.invoker = invoker;
        this.clock = clock;
        this.sequencer = new AtomicLong(clock.millis() << 16);
        for (Subscription sub : subscriptions) {
            seen.put(sub, snapshot(sub));
        }
        this.poller = Thread.ofPlatform().daemon().name("s3-bridge").start(this::run);
        LOG.info("S3 bridge: polling {} every {} ms", subscriptions.stream()
                .map(s -> s.bucket() + "/" + s.prefix() + "* -> " + s.functionId()).collect(Collectors.joining(", ")),
                interval.toMillis());
    }

    /** fromTemplate lists the functions' {@code Type: S3} events; bucket names are the local ones. */
    static List<Subscription> fromTemplate(Template template, Map<String, String> localNames) {
        List<Subscription> out = new ArrayList<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((functionId, resource) -> {
            Map<String, Object> props = Template.map(resource.get("Properties"));
            Template.map(props.get("Events")).forEach((eventId, raw) -> {
                Map<String, Object> event = Template.map(raw);
                if (!"S3".equals(event.get("Type"))) {
                    return;
                }
                Map<String, Object> p = Template.map(event.get("Properties"));
                String bucketId = String.valueOf(Template.map(p.get("Bucket")).get("Ref"));
                String bucket = localNames.get(bucketId);
                if (bucket == null) {
                    throw new IllegalArgumentException(functionId + "." + eventId + ": no local bucket for " + bucketId);
                }
                String prefix = "";
                String suffix = "";
                for (Object r : Template.list(Template.map(Template.map(p.get("Filter")).get("S3Key")).get("Rules"))) {
                    Map<String, Object> rule = Template.map(r);
                    String name = String.valueOf(rule.get("Name")).toLowerCase(java.util.Locale.ROOT);
                    if (name.equals("prefix")) {
                        prefix = String.valueOf(rule.get("Value"));
                    } else if (name.equals("suffix")) {
                        suffix = String.valueOf(rule.get("Value"));
                    }
                }
                out.add(new Subscription(functionId, eventId, bucket, prefix, suffix));
            });
        });
        return out;
    }

    private void run() {
        while (running) {
            try {
                Thread.sleep(interval);
            } catch (InterruptedException e) {
                return;
            }
            for (Subscription sub : subscriptions) {
                try {
                    poll(sub);
                } catch (RuntimeException e) {
                    if (running) {
                        LOG.warn("listing {}/{} failed: {}", sub.bucket(), sub.prefix(), e.toString());
                    }
                }
            }
        }
    }

    /** poll lists once and fires for what is new or changed. */
    void poll(Subscription sub) {
        Map<String, Seen> now = snapshot(sub);
        Map<String, Seen> before = seen.get(sub);
        for (Map.Entry<String, Seen> e : now.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                invoker.submit(sub.functionId(), "s3://" + sub.bucket() + "/" + e.getKey(),
                        eventJson(sub, e.getKey(), e.getValue().size(), e.getValue().eTag()));
            }
        }
        seen.put(sub, now);
    }

    private Map<String, Seen> snapshot(Subscription sub) {
        Map<String, Seen> out = new HashMap<>();
        ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(sub.bucket()).prefix(sub.prefix()).build();
        for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
            if (o.key().endsWith(sub.suffix())) {
                out.put(o.key(), new Seen(unquote(o.eTag()), o.lastModified(), o.size()));
            }
        }
        return out;
    }

    /** eventJson builds the S3 notification record real S3 sends for a PUT. */
    String eventJson(Subscription sub, String key, long size, String eTag) {
        ObjectNode root = ProxyEvent.JSON.createObjectNode();
        ObjectNode record = root.putArray("Records").addObject();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", LocalAws.REGION);
        record.put("eventTime", clock.instant().toString());
        record.put("eventName", "ObjectCreated:Put");
        record.putObject("userIdentity").put("principalId", "AWS:LOCAL");
        record.putObject("requestParameters").put("sourceIPAddress", "127.0.0.1");
        String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase(java.util.Locale.ROOT);
        record.putObject("responseElements").put("x-amz-request-id", requestId).put("x-amz-id-2", requestId);
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.put("configurationId", sub.configurationId());
        ObjectNode bucket = s3.putObject("bucket");
        bucket.put("name", sub.bucket());
        bucket.putObject("ownerIdentity").put("principalId", "LOCAL");
        bucket.put("arn", "arn:aws:s3:::" + sub.bucket());
        ObjectNode object = s3.putObject("object");
        object.put("key", encodeKey(key));
        object.put("size", size);
        object.put("eTag", eTag);
        object.put("sequencer", String.format("%018X", sequencer.incrementAndGet()));
        return root.toString();
    }

    /** encodeKey URL-encodes a key as S3 does in notifications: form encoding (space as '+'), '/' kept. */
    static String encodeKey(String key) {
        return java.util.Arrays.stream(key.split("/", -1))
                .map(part -> URLEncoder.encode(part, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
    }

    private static String unquote(String eTag) {
        return eTag == null ? "" : eTag.replace("\"", "");
    }

    @Override
    public void close() {
        running = false;
        poller.interrupt();
        try {
            poller.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
