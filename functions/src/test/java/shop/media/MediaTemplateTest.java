package shop.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import shop.platform.config.Env;
import shop.stack.FunctionEnvironment;
import shop.stack.Template;
import shop.testing.TestStack;

/**
 * The media functions read only variables template.yaml sets for them and route what it routes; the
 * template serves verified images through CloudFront (origin access control, bucket policy, response
 * headers policy) and expires unverified uploads.
 */
class MediaTemplateTest {
    private final Template template = Template.loadDefault();

    private Env env() {
        return TestStack.get().env(Map.of("PUBLIC_IMAGE_BASE_URL", "http://127.0.0.1:1/images-bucket"));
    }

    private void assertDeclared(String functionId, Env env) {
        Set<String> allowed = new HashSet<>(FunctionEnvironment.declared(template, functionId));
        allowed.addAll(FunctionEnvironment.RUNTIME_PROVIDED);
        Set<String> undeclared = new HashSet<>(env.namesRead());
        undeclared.removeAll(allowed);
        assertEquals(Set.of(), undeclared, functionId + " reads variables template.yaml does not set");
    }

    @Test
    void uploadsApi_readsOnlyDeclaredVariables_andServesTheTemplateRoutes() {
        Env env = env();
        UploadsApiHandler handler = new UploadsApiHandler(env);
        assertDeclared("UploadsApiFunction", env);
        assertTrue(env.namesRead().containsAll(Set.of("IMAGES_BUCKET", "UPLOAD_TICKETS_TABLE", "IDEMPOTENCY_TABLE",
                "UPLOAD_MAX_BYTES", "UPLOAD_URL_TTL_SECONDS")), env.namesRead().toString());
        Set<String> routes = new HashSet<>();
        Map<String, Object> events = Template.map(template.properties("UploadsApiFunction").get("Events"));
        events.values().forEach(ev -> {
            Map<String, Object> p = Template.map(Template.map(ev).get("Properties"));
            routes.add(((String) p.get("Method")).toUpperCase() + " " + p.get("Path"));
        });
        assertEquals(routes, handler.router().routes());
    }

    @Test
    void uploadComplete_readsOnlyDeclaredVariables() {
        Env env = env();
        new UploadCompleteHandler(env);
        assertDeclared("UploadCompleteFunction", env);
        assertTrue(env.namesRead().containsAll(Set.of("IMAGES_BUCKET", "UPLOAD_TICKETS_TABLE", "PUBLIC_IMAGE_BASE_URL",
                "IMAGE_MAX_WIDTH", "IMAGE_MAX_HEIGHT")), env.namesRead().toString());
    }

    // ---------------------------------------------------------------- images through CloudFront

    private Map<String, Object> props(String id) {
        return template.properties(id);
    }

    private static Map<String, Object> m(Object o) {
        return Template.map(o);
    }

    private static List<Object> l(Object o) {
        return o instanceof List<?> ? Template.list(o) : List.of(o);
    }

    private static Map<String, Object> getAtt(String resource, String attribute) {
        return Map.of("Fn::GetAtt", List.of(resource, attribute));
    }

    private static Map<String, Object> ref(String name) {
        return Map.of("Ref", name);
    }

    @Test
    void imagesDistribution_readsThePrivateBucket_throughAnOriginAccessControl_overHttps() {
        Map<String, Object> oac = m(props("ImagesOriginAccessControl").get("OriginAccessControlConfig"));
        assertEquals("s3", oac.get("OriginAccessControlOriginType"));
        assertEquals("always", oac.get("SigningBehavior"));
        assertEquals("sigv4", oac.get("SigningProtocol"));

        Map<String, Object> config = m(props("ImagesDistribution").get("DistributionConfig"));
        assertEquals(true, config.get("Enabled"));
        List<Object> origins = Template.list(config.get("Origins"));
        assertEquals(1, origins.size(), "one origin: the images bucket");
        Map<String, Object> origin = m(origins.getFirst());
        assertEquals(getAtt("ImagesOriginAccessControl", "Id"), origin.get("OriginAccessControlId"));
        assertEquals("", m(origin.get("S3OriginConfig")).get("OriginAccessIdentity"), "OAC, not the legacy OAI");
        assertEquals(Map.of("Fn::Sub", "${AWS::StackName}-images-${AWS::AccountId}.s3.${AWS::Region}.${AWS::URLSuffix}"),
                origin.get("DomainName"), "the regional endpoint of the images bucket");
        assertEquals(Map.of("Fn::Sub", "${AWS::StackName}-images-${AWS::AccountId}"), props("ImagesBucket").get("BucketName"));

        Map<String, Object> behaviour = m(config.get("DefaultCacheBehavior"));
        assertEquals(origin.get("Id"), behaviour.get("TargetOriginId"));
        assertTrue(Set.of("redirect-to-https", "https-only").contains(behaviour.get("ViewerProtocolPolicy")));
        assertEquals(List.of("GET", "HEAD"), behaviour.get("AllowedMethods"));
        assertEquals(ref("ImagesResponseHeadersPolicy"), behaviour.get("ResponseHeadersPolicyId"));
        assertEquals("658327ea-f89d-4fab-a63d-7e88639e58f6", behaviour.get("CachePolicyId"), "Managed-CachingOptimized");
        assertEquals(null, config.get("CacheBehaviors"), "no other path is routed anywhere else");

        Map<String, Object> block = m(props("ImagesBucket").get("PublicAccessBlockConfiguration"));
        assertEquals(Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true, "IgnorePublicAcls", true,
                "RestrictPublicBuckets", true), block, "the bucket stays private");
    }

    @Test
    void bucketPolicy_letsOnlyThisDistributionRead_onlyImages_andNeverUploads() {
        Map<String, Object> policy = props("ImagesBucketPolicy");
        assertEquals(ref("ImagesBucket"), policy.get("Bucket"));
        List<Map<String, Object>> cloudFront = new ArrayList<>();
        for (Object o : Template.list(m(policy.get("PolicyDocument")).get("Statement"))) {
            Map<String, Object> st = m(o);
            if (st.get("Principal") instanceof Map<?, ?> p && "cloudfront.amazonaws.com".equals(p.get("Service"))) {
                cloudFront.add(st);
            } else {
                assertEquals("Deny", st.get("Effect"), "only CloudFront is allowed anything: " + st);
            }
        }
        List<Map<String, Object>> allows = cloudFront.stream().filter(st -> "Allow".equals(st.get("Effect"))).toList();
        assertEquals(1, allows.size(), cloudFront.toString());
        Map<String, Object> allow = allows.getFirst();
        assertEquals(List.of("s3:GetObject"), l(allow.get("Action")));
        assertEquals(List.of(Map.of("Fn::Sub", "${ImagesBucket.Arn}/images/*")), l(allow.get("Resource")));
        assertEquals(Map.of("StringEquals", Map.of("AWS:SourceArn", Map.of("Fn::Sub",
                "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${ImagesDistribution}"))),
                allow.get("Condition"), "this distribution only");
        assertTrue(cloudFront.stream().anyMatch(st -> "Deny".equals(st.get("Effect"))
                        && l(st.get("Resource")).equals(List.of(Map.of("Fn::Sub", "${ImagesBucket.Arn}/uploads/*")))),
                "uploads/ is denied to CloudFront outright");
    }

    @Test
    void responseHeadersPolicy_setsNosniff_andACspThatRunsNothing_overridingTheOrigin() {
        Map<String, Object> security = m(m(props("ImagesResponseHeadersPolicy").get("ResponseHeadersPolicyConfig"))
                .get("SecurityHeadersConfig"));
        assertEquals(Map.of("Override", true), security.get("ContentTypeOptions"));
        Map<String, Object> csp = m(security.get("ContentSecurityPolicy"));
        assertEquals(true, csp.get("Override"));
        String value = (String) csp.get("ContentSecurityPolicy");
        for (String directive : List.of("default-src 'none'", "sandbox", "frame-ancestors 'none'")) {
            assertTrue(value.contains(directive), value);
        }
        assertFalse(value.contains("script-src"), "nothing may run: " + value);
        assertEquals("DENY", m(security.get("FrameOptions")).get("FrameOption"));
    }

    @Test
    void uploadComplete_writesOnlyUnderImages_readsAndDeletesUploads_andIsNotTriggeredByItsOwnCopies() {
        String bucketArn = "arn:${AWS::Partition}:s3:::${AWS::StackName}-images-${AWS::AccountId}";
        Map<String, List<Object>> resourcesByAction = s3Actions("UploadCompleteFunction");
        assertEquals(List.of(Map.of("Fn::Sub", bucketArn + "/images/*")), resourcesByAction.get("s3:PutObject"));
        assertEquals(List.of(Map.of("Fn::Sub", bucketArn + "/uploads/*")), resourcesByAction.get("s3:GetObject"));
        assertEquals(Set.of(Map.of("Fn::Sub", bucketArn + "/uploads/*"), Map.of("Fn::Sub", bucketArn + "/images/*")),
                Set.copyOf(resourcesByAction.get("s3:DeleteObject")));
        assertEquals(List.of(Map.of("Fn::Sub", bucketArn + "/uploads/*")), s3Actions("UploadsApiFunction").get("s3:PutObject"),
                "browsers upload under uploads/ only");

        Map<String, Object> event = m(m(m(props("UploadCompleteFunction").get("Events")).get("ImageUploaded")).get("Properties"));
        assertEquals(List.of(Map.of("Name", "prefix", "Value", UploadKey.PREFIX)),
                Template.list(m(m(event.get("Filter")).get("S3Key")).get("Rules")));
        assertFalse(UploadKey.SERVED_PREFIX.startsWith(UploadKey.PREFIX));
    }

    private Map<String, List<Object>> s3Actions(String functionId) {
        Map<String, List<Object>> out = new java.util.HashMap<>();
        for (Object policy : Template.list(props(functionId).get("Policies"))) {
            for (Object o : Template.list(m(policy).get("Statement"))) {
                Map<String, Object> st = m(o);
                for (Object action : l(st.get("Action"))) {
                    if (String.valueOf(action).startsWith("s3:")) {
                        out.computeIfAbsent((String) action, a -> new ArrayList<>()).addAll(l(st.get("Resource")));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void lifecycle_expiresUnverifiedUploads_afterTheTicketsGrace_andNeverImages() {
        List<Map<String, Object>> expiring = new ArrayList<>();
        for (Object o : Template.list(m(props("ImagesBucket").get("LifecycleConfiguration")).get("Rules"))) {
            Map<String, Object> rule = m(o);
            if (rule.containsKey("ExpirationInDays") || rule.containsKey("ExpirationDate")) {
                expiring.add(rule);
            }
        }
        assertEquals(1, expiring.size(), expiring.toString());
        Map<String, Object> rule = expiring.getFirst();
        assertEquals("Enabled", rule.get("Status"));
        assertEquals(UploadKey.PREFIX, rule.get("Prefix"), "only uploads/ expires; images/ never does");
        long maxUrlTtl = ((Number) m(m(template.root().get("Parameters")).get("UploadUrlTtlSeconds")).get("MaxValue"))
                .longValue();
        long ticketLife = maxUrlTtl + UploadTicket.GRACE.toSeconds();
        long days = ((Number) rule.get("ExpirationInDays")).longValue();
        assertTrue(days * 86_400 >= ticketLife, "an upload may expire only after its ticket: " + days + " days < "
                + ticketLife + " s");
    }

    @Test
    void publicImageBaseUrl_defaultsToTheDistribution_orItsCustomDomainWithACertificate() {
        Object expected = Map.of("Fn::If", List.of("HasPublicImageBaseUrl", ref("PublicImageBaseUrl"),
                Map.of("Fn::If", List.of("HasImagesDomain", Map.of("Fn::Sub", "https://${ImagesDomainName}"),
                        Map.of("Fn::Sub", "https://${ImagesDistribution.DomainName}")))));
        assertEquals(expected, m(m(props("UploadCompleteFunction").get("Environment")).get("Variables"))
                .get("PUBLIC_IMAGE_BASE_URL"));
        Map<String, Object> parameters = m(template.root().get("Parameters"));
        assertEquals("", m(parameters.get("PublicImageBaseUrl")).get("Default"));
        assertEquals("", m(parameters.get("ImagesDomainName")).get("Default"));
        assertTrue(((String) m(parameters.get("ImagesCertificateArn")).get("AllowedPattern")).contains(":acm:us-east-1:"),
                "CloudFront takes certificates from us-east-1 only");

        Map<String, Object> config = m(props("ImagesDistribution").get("DistributionConfig"));
        assertEquals(Map.of("Fn::If", List.of("HasImagesDomain", List.of(ref("ImagesDomainName")), ref("AWS::NoValue"))),
                config.get("Aliases"));
        List<Object> certificate = Template.list(m(config.get("ViewerCertificate")).get("Fn::If"));
        assertEquals("HasImagesDomain", certificate.get(0));
        assertEquals(ref("ImagesCertificateArn"), m(certificate.get(1)).get("AcmCertificateArn"));
        assertEquals("sni-only", m(certificate.get(1)).get("SslSupportMethod"));
        assertEquals(Map.of("CloudFrontDefaultCertificate", true), certificate.get(2));
        assertTrue(m(template.root().get("Rules")).containsKey("ImagesDomainNeedsCertificate"));
    }

    @Test
    void imageLimits_areParametersDefaulting8000_andReachTheFunction() {
        Map<String, Object> parameters = m(template.root().get("Parameters"));
        Map<String, Object> variables = m(m(props("UploadCompleteFunction").get("Environment")).get("Variables"));
        assertEquals(8000, m(parameters.get("ImageMaxWidth")).get("Default"));
        assertEquals(8000, m(parameters.get("ImageMaxHeight")).get("Default"));
        assertEquals(ref("ImageMaxWidth"), variables.get("IMAGE_MAX_WIDTH"));
        assertEquals(ref("ImageMaxHeight"), variables.get("IMAGE_MAX_HEIGHT"));
        assertEquals(ImageInspector.Limits.DEFAULT, MediaConfig.Complete.from(env()).imageLimits());
        assertEquals(new ImageInspector.Limits(640, 480), MediaConfig.Complete.from(TestStack.get().env(Map.of(
                "PUBLIC_IMAGE_BASE_URL", "http://127.0.0.1:1", "IMAGE_MAX_WIDTH", "640", "IMAGE_MAX_HEIGHT", "480")))
                .imageLimits());
    }
}
