package shop.media;

/** UploadStatus is where a ticket stands: waiting for its object, recorded on its target, or refused. */
public enum UploadStatus {
    PENDING, STORED, REJECTED
}
