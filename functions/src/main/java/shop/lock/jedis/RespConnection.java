package shop.lock.jedis;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import redis.clients.jedis.RedisCredentials;

/**
 * RespConnection is one plain socket to a Redis node speaking just enough RESP2 for the lock's
 * scripts: it writes a command and later reads one integer, status or error reply. Jedis cannot
 * read a reply after its read timed out (the connection is marked broken), but the RedLock must keep
 * reading a late SET reply so it can delete what landed late; a socket read that times out here
 * leaves the stream intact. Not thread-safe: one caller at a time.
 */
final class RespConnection implements AutoCloseable {
    private static final byte[] CRLF = {'\r', '\n'};

    /** RespError is an error reply, e.g. {@code NOSCRIPT ...}. */
    record RespError(String message) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int soTimeout = -1;

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 256);
        this.out = new BufferedOutputStream(socket.getOutputStream(), 1024);
    }

    /**
     * open connects to host:port; with TLS the certificate must match the host name; with credentials
     * (null for none) it sends AUTH and fails unless the node accepts them.
     */
    static RespConnection open(String host, int port, boolean tls, RedisCredentials credentials,
                               Duration connectTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), Math.toIntExact(connectTimeout.toMillis()));
            // A node that accepts and never answers must not hold the handshake for ever: it is bounded
            // like the connect (read() sets each reply's own bound later).
            socket.setSoTimeout(Math.toIntExact(Math.max(1, connectTimeout.toMillis())));
            if (tls) {
                SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                        .createSocket(socket, host, port, true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(parameters);
                socket = ssl;
                ssl.startHandshake();
            }
            RespConnection c = new RespConnection(socket);
            if (credentials != null && credentials.getPassword() != null) {
                c.auth(credentials, System.nanoTime() + connectTimeout.toNanos());
            }
            return c;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void auth(RedisCredentials credentials, long deadlineNanos) throws IOException {
        String password = new String(credentials.getPassword());
        send(credentials.getUser() == null ? List.of("AUTH", password) : List.of("AUTH", credentials.getUser(), password));
        Object reply = read(deadlineNanos);
        if (!"OK".equals(reply)) {
            // The node's message ("WRONGPASS ...", "ERR AUTH <password> called without any password ...")
            // names no secret; the first word is what a reader needs.
            String why = reply instanceof RespError e ? e.message().split(" ", 2)[0] : String.valueOf(reply);
            throw new IOException("AUTH refused: " + why);
        }
    }

    /** send writes one command (an array of bulk strings) and flushes it. */
    void send(List<String> args) throws IOException {
        write(args);
        out.flush();
    }

    /** sendAll writes several commands in one flush (a pipeline); their replies come in order. */
    void sendAll(List<List<String>> commands) throws IOException {
        for (List<String> args : commands) {
            write(args);
        }
        out.flush();
    }

    private void write(List<String> args) throws IOException {
        writeHeader('*', args.size());
        for (String arg : args) {
            byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
            writeHeader('$', bytes.length);
            out.write(bytes);
            out.write(CRLF);
        }
    }

    /**
     * read reads one reply: a Long, a String (status or bulk, null for nil) or a {@link RespError}.
     * Throws {@link SocketTimeoutException} when nothing arrived by the deadline; the connection can
     * then still be read again.
     */
    Object read(long deadlineNanos) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadlineNanos - System.nanoTime()) / 1_000_000L));
        if (millis != soTimeout) {
            socket.setSoTimeout(millis);
            soTimeout = millis;
        }
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed by the node");
        }
        String line = line();
        return switch (type) {
            case ':' -> Long.parseLong(line);
            case '+' -> line;
            case '-' -> new RespError(line);
            case '$' -> bulk(Integer.parseInt(line));
            default -> throw new IOException("unexpected reply type '" + (char) type + "'");
        };
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing to do: it is gone either way.
        }
    }

    private String bulk(int length) throws IOException {
        if (length < 0) {
            return null;
        }
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("truncated bulk reply");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder(16);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("truncated reply");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed reply line");
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    private void writeHeader(char kind, int n) throws IOException {
        out.write(kind);
        out.write(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write(CRLF);
    }
}
