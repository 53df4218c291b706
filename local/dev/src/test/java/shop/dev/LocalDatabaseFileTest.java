package shop.dev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import shop.platform.config.DbConfig;
import shop.stack.StackEndpoints;

/** ./dev reconcile finds the database of a running ./dev start by its port, and nothing once it stopped. */
class LocalDatabaseFileTest {

    @Test
    void writtenAtReady_readByPort_andGoneAtStop(@TempDir Path root) throws Exception {
        assertEquals(Optional.empty(), LocalDatabaseFile.read(root, 3000));
        String url = "jdbc:mysql://127.0.0.1:41234/shop?sslMode=DISABLED&connectionTimeZone=UTC";
        Path file = LocalDatabaseFile.write(root, 3000, new StackEndpoints(url, "root", "", List.of("127.0.0.1:1"),
                URI.create("http://127.0.0.1:2"), URI.create("http://127.0.0.1:3"), "us-east-1", "k", "s"));
        assertTrue(Files.isRegularFile(file));
        DbConfig db = LocalDatabaseFile.read(root, 3000).orElseThrow();
        assertEquals(url, db.jdbcUrl());
        assertEquals("root", db.user());
        assertEquals("", db.password());
        assertEquals(Optional.empty(), LocalDatabaseFile.read(root, 3001), "another port is another runner");
        LocalDatabaseFile.delete(file);
        assertFalse(Files.exists(file));
        assertEquals(Optional.empty(), LocalDatabaseFile.read(root, 3000));
    }
}
