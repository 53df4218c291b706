package shop.dev;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import shop.platform.config.DbConfig;
import shop.stack.StackEndpoints;

/**
 * LocalDatabaseFile tells other {@code ./dev} commands where the database of a running {@code ./dev start}
 * is: {@code .stack/dev-database-PORT.properties} (the stack picks free ports), written when the runner
 * is ready and deleted when it stops. Local credentials only; the file is git-ignored.
 */
final class LocalDatabaseFile {
    private LocalDatabaseFile() {
    }

    static Path path(Path root, int port) {
        return root.resolve(".stack").resolve("dev-database-" + port + ".properties");
    }

    /** write records the stack's database for the runner on {@code port}; returns the file, or null when it could not. */
    static Path write(Path root, int port, StackEndpoints endpoints) {
        Path file = path(root, port);
        Properties p = new Properties();
        p.setProperty("url", endpoints.jdbcUrl());
        p.setProperty("user", endpoints.dbUser());
        p.setProperty("password", endpoints.dbPassword());
        try {
            Files.createDirectories(file.getParent());
            try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                p.store(w, "the database of ./dev start on port " + port + " (deleted when it stops)");
            }
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            System.err.println("dev: could not write " + file + " (./dev reconcile will need DB_URL): " + e.getMessage());
            return null;
        }
    }

    /** read returns the database of the runner on {@code port}, if one is running. */
    static Optional<DbConfig> read(Path root, int port) {
        Path file = path(root, port);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return Optional.of(new DbConfig(p.getProperty("url"), Optional.empty(), p.getProperty("user"),
                p.getProperty("password"), 1));
    }

    static void delete(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Stopping anyway; a stale file only points at a server that is gone.
            }
        }
    }
}
