package shop.ops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import shop.stack.ProjectRoot;

/**
 * SamTranslator runs the official AWS SAM translator (Python aws-sam-translator, which
 * CloudFormation's AWS::Serverless transform is built from) on a template, once per deploy
 * scenario, through src/test/python/sam_versions.py, and answers the logical id of each function's
 * published version. Without python3 and aws-sam-translator the tests fail, saying how to install
 * it: they never skip.
 */
final class SamTranslator {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Scenario is one deploy: its template, the parameter values CloudFormation hands the transform
     * and the S3 URI `sam package` gave each local artifact.
     */
    record Scenario(String name, Path template, Map<String, String> parameters, Map<String, String> artifacts) {
    }

    /** Published is a function's version logical id and the function's description after the transform. */
    record Published(String version, String description) {
    }

    private SamTranslator() {
    }

    /** versions transforms each scenario's template: scenario name, then function logical id, to what SAM publishes. */
    static Map<String, Map<String, Published>> versions(List<Scenario> scenarios) throws Exception {
        Path script = ProjectRoot.find().resolve("local/ops/src/test/python/sam_versions.py");
        Map<String, Object> request = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        for (Scenario s : scenarios) {
            list.add(Map.of("name", s.name(), "template", s.template().toString(), "parameters", s.parameters(),
                    "artifacts", s.artifacts()));
        }
        request.put("scenarios", list);
        Path errors = java.nio.file.Files.createTempFile("sam-versions", ".err");
        Process p;
        try {
            p = new ProcessBuilder("python3", script.toString()).redirectError(errors.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("python3 is not on PATH: the SAM translator cannot run. " + INSTALL, e);
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(JSON.writeValueAsBytes(request));
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sam_versions.py did not finish in 5 minutes");
        }
        String err = java.nio.file.Files.readString(errors, StandardCharsets.UTF_8);
        java.nio.file.Files.deleteIfExists(errors);
        if (p.exitValue() != 0) {
            throw new AssertionError((err.contains("No module named 'samtranslator'") ? INSTALL + "\n" : "")
                    + "sam_versions.py failed (" + p.exitValue() + "):\n" + err);
        }
        return JSON.readValue(out, new TypeReference<>() {
        });
    }

    private static final String INSTALL = "Install Python's aws-sam-translator (pip install aws-sam-translator==1.110.0;"
            + " cfn-lint brings it too; .ci/run checks for it).";
}
