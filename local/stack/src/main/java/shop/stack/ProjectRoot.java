package shop.stack;

import java.nio.file.Files;
import java.nio.file.Path;

/** ProjectRoot finds the repository root: the folder that holds template.yaml and the dev script. */
public final class ProjectRoot {
    private ProjectRoot() {
    }

    /**
     * find returns the root named by the {@code shop.root} system property, or the nearest folder at
     * or above the working directory that holds {@code template.yaml} and {@code dev}.
     */
    public static Path find() {
        String configured = System.getProperty("shop.root");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("template.yaml")) && Files.isRegularFile(p.resolve("dev"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the project root (template.yaml and dev) at or above " + dir
                + "; set -Dshop.root");
    }
}
