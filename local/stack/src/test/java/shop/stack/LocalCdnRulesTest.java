package shop.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The local CDN's rules are read from the project's template.yaml, not written down a second time. */
class LocalCdnRulesTest {
    private final LocalCdn.Rules rules = LocalCdn.Rules.fromTemplate(Template.loadDefault()).orElseThrow();

    @Test
    void keysMethodsAndBucket_comeFromTheBucketPolicyAndTheDistribution() {
        assertEquals("ImagesBucket", rules.bucketLogicalId());
        assertEquals(List.of("images/*"), rules.allowed());
        assertEquals(List.of("uploads/*"), rules.denied());
        assertEquals(List.of("GET", "HEAD"), rules.methods());
    }

    @Test
    void readable_matchesAllowedPatterns_andAnExplicitDenyWins() {
        assertTrue(rules.readable("images/banner/1/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.png"));
        assertFalse(rules.readable("uploads/banner/1/3f1c7a52-9d3e-4b7a-8a55-0c2b9e6d1f40.png"));
        assertFalse(rules.readable("imagesX/a.png"));
        assertFalse(rules.readable("other/images/a.png"));
        var broad = new LocalCdn.Rules("B", List.of("*"), List.of("uploads/*"), List.of("GET"), List.of());
        assertTrue(broad.readable("anything/at/all"));
        assertFalse(broad.readable("uploads/x.png"), "a Deny wins over any Allow");
    }

    @Test
    void headers_areTheResponseHeadersPolicys_withTheirOverrideFlags() {
        assertTrue(rules.headers().contains(new LocalCdn.Rules.PolicyHeader("X-Content-Type-Options", "nosniff", true)));
        assertTrue(rules.headers().contains(new LocalCdn.Rules.PolicyHeader("Strict-Transport-Security", "max-age=31536000",
                true)), rules.headers().toString());
        assertTrue(rules.headers().stream().anyMatch(h -> h.name().equals("Content-Security-Policy")
                && h.value().startsWith("default-src 'none'")), rules.headers().toString());
    }
}
