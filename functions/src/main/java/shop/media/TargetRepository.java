package shop.media;

/**
 * TargetRepository reads and writes the images of goods, banners and brands. Attaching and
 * detaching are safe to repeat: the same URL is never appended twice.
 */
public interface TargetRepository {
    /** MAX_LIST_IMAGES is how many images a goods gallery or description holds (the catalog API's limit too). */
    int MAX_LIST_IMAGES = 20;

    /** exists tells whether the target is there (goods: and not soft-deleted). */
    boolean exists(UploadTarget target, long targetId);

    /**
     * attach records an image URL in a slot, once; {@link Change#GONE} when the target is no longer
     * there, {@link Change#FULL} when a list slot has no room.
     */
    Change attach(UploadTarget target, long targetId, String slot, String url);

    /** detach takes an image URL out of a slot again, if it is there. */
    Change detach(UploadTarget target, long targetId, String slot, String url);

    /** Change is what a write did. */
    enum Change {
        /** CHANGED: the row was updated. */
        CHANGED,
        /** UNCHANGED: the row already was as asked (a repeated event). */
        UNCHANGED,
        /** GONE: the target was deleted (or soft-deleted) meanwhile; nothing written. */
        GONE,
        /** FULL: the list slot already holds {@link #MAX_LIST_IMAGES} images; nothing written. */
        FULL
    }
}
