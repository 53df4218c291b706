package shop.media;

import java.time.Duration;
import java.util.Optional;

/** DelegatingObjectStore passes every call to a real store; tests override a method to inject a fault. */
class DelegatingObjectStore implements ObjectStore {
    private final ObjectStore delegate;

    DelegatingObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public PresignedPut presignPut(String key, String contentType, long contentLength, Duration ttl) {
        return delegate.presignPut(key, contentType, contentLength, ttl);
    }

    @Override
    public Optional<ObjectInfo> head(String key) {
        return delegate.head(key);
    }

    @Override
    public byte[] read(String key, String etag, long offset, int length) {
        return delegate.read(key, etag, offset, length);
    }

    @Override
    public void publish(String key, String etag, String servedKey, ServedHeaders headers) {
        delegate.publish(key, etag, servedKey, headers);
    }

    @Override
    public void delete(String key) {
        delegate.delete(key);
    }
}
