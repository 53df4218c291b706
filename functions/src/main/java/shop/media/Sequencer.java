package shop.media;

import java.util.Comparator;
import java.util.Locale;

/**
 * Sequencer orders S3 events for the same key. S3 gives each event a {@code sequencer}, a hex string
 * that grows with each change of a key; strings of different lengths compare after left-padding
 * the shorter with zeros (AWS's documented rule). A missing sequencer sorts first.
 */
public final class Sequencer {
    /** ORDER compares two sequencers. */
    public static final Comparator<String> ORDER = Sequencer::compare;

    private Sequencer() {
    }

    /** compare returns a negative number when {@code a} is older than {@code b}, 0 when equal. */
    public static int compare(String a, String b) {
        String x = normal(a);
        String y = normal(b);
        int width = Math.max(x.length(), y.length());
        return pad(x, width).compareTo(pad(y, width));
    }

    private static String normal(String s) {
        return s == null ? "" : s.trim().toUpperCase(Locale.ROOT);
    }

    private static String pad(String s, int width) {
        return "0".repeat(width - s.length()) + s;
    }
}
