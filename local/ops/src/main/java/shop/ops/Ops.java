package shop.ops;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import shop.stack.ProjectRoot;
import software.amazon.awssdk.regions.Region;

/**
 * Ops is the Java side of {@code ./dev verify} and {@code ./dev redrive --stack}: tools for a
 * deployed stack, with the caller's AWS credentials. Results go to stdout, logs to stderr; the exit
 * code is 0 only when everything checked held.
 */
public final class Ops {
    private static final String USAGE = """
            usage: ./dev verify --stack NAME [--region R] [--token T] [--no-smoke]
                   ./dev redrive --stack NAME [--region R] [--function NAME_PART] [--max 100]
            (--endpoint URL sends every AWS call to one emulator, e.g. moto_server)
            """;

    private Ops() {
    }

    /** main runs one command and exits: 0 all held, 1 a difference or failure, 2 a usage error. */
    public static void main(String[] args) {
        PrintStream stdout = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        System.setOut(System.err);
        Deque<String> rest = new ArrayDeque<>(List.of(args));
        String command = rest.isEmpty() ? "help" : rest.removeFirst();
        try {
            Options o = Options.parse(rest);
            int code = switch (command) {
                case "verify" -> verify(o, stdout);
                case "redrive" -> redrive(o, stdout);
                default -> {
                    System.err.print(USAGE);
                    yield 2;
                }
            };
            stdout.flush();
            System.exit(code);
        } catch (IllegalArgumentException e) {
            System.err.println("dev " + command + ": " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("dev " + command + " failed: " + e);
            System.exit(1);
        }
    }

    /** Options are the command line's. */
    record Options(String stack, Region region, Optional<URI> endpoint, Optional<String> token, boolean smoke,
                   Optional<String> function, int max) {
        static Options parse(Deque<String> args) {
            String stack = null;
            String region = Optional.ofNullable(System.getenv("AWS_REGION")).orElse(System.getenv("AWS_DEFAULT_REGION"));
            URI endpoint = null;
            String token = null;
            boolean smoke = true;
            String function = null;
            int max = 100;
            while (!args.isEmpty()) {
                String arg = args.removeFirst();
                switch (arg) {
                    case "--stack" -> stack = value(args, arg);
                    case "--region" -> region = value(args, arg);
                    case "--endpoint" -> endpoint = URI.create(value(args, arg));
                    case "--token" -> token = value(args, arg);
                    case "--no-smoke" -> smoke = false;
                    case "--function" -> function = value(args, arg);
                    case "--max" -> max = Integer.parseInt(value(args, arg));
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (stack == null) {
                throw new IllegalArgumentException("--stack NAME is required");
            }
            if (region == null || region.isBlank()) {
                throw new IllegalArgumentException("no region: pass --region or set AWS_REGION");
            }
            return new Options(stack, Region.of(region), Optional.ofNullable(endpoint), Optional.ofNullable(token), smoke,
                    Optional.ofNullable(function), max);
        }

        private static String value(Deque<String> args, String option) {
            if (args.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.removeFirst();
        }

        AwsAccess aws() {
            return new AwsAccess(region, endpoint);
        }
    }

    private static int verify(Options o, PrintStream out) {
        Verifier.Report report;
        var aws = o.aws();
        try (var cfn = aws.cloudFormation(); var apigw = aws.apiGateway()) {
            report = Verifier.ofProject(ProjectRoot.find()).verify(cfn, apigw, o.stack());
        }
        out.println("stack " + o.stack() + ", REST API " + report.apiId().orElse("(none)"));
        if (report.differences().isEmpty()) {
            out.println("deployed API matches template.yaml and docs/openapi.yaml");
        } else {
            out.println(report.differences().size() + " difference(s) from template.yaml and docs/openapi.yaml:");
            report.differences().forEach(d -> out.println("  - " + d));
        }
        boolean smokeFailed = false;
        if (o.smoke()) {
            if (report.stageUrl().isEmpty()) {
                out.println("smoke test: FAILED, the stack has no ApiUrl output");
                smokeFailed = true;
            } else {
                out.println("smoke test against " + report.stageUrl().get() + (o.token().isEmpty()
                        ? " (no --token: upload round trip skipped)" : ""));
                for (SmokeScenario.Step step : new SmokeScenario(URI.create(report.stageUrl().get()), o.token(),
                        Duration.ofSeconds(90)).run()) {
                    out.println("  " + step);
                    smokeFailed |= !step.passed();
                }
            }
        }
        return report.differences().isEmpty() && !smokeFailed ? 0 : 1;
    }

    private static int redrive(Options o, PrintStream out) {
        var aws = o.aws();
        try (var cfn = aws.cloudFormation(); var sqs = aws.sqs(); var lambda = aws.lambda()) {
            StackInfo stack = StackInfo.describe(cfn, o.stack());
            String queue = stack.output("FailedEventsQueueUrl").orElseThrow(() -> new IllegalArgumentException("stack "
                    + o.stack() + " has no FailedEventsQueueUrl output (deployed before the failed-events queue?)"));
            List<QueueRedrive.Result> results = new QueueRedrive(sqs, lambda).redrive(queue, o.function(), o.max());
            results.forEach(out::println);
            long redriven = results.stream().filter(r -> r.outcome().equals("redriven")).count();
            long failed = results.stream().filter(r -> r.outcome().equals("failed")).count();
            out.println(redriven + " redriven, " + failed + " failed again (kept in the queue), "
                    + (results.size() - redriven - failed) + " skipped");
            return failed == 0 ? 0 : 1;
        }
    }
}
