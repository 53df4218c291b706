package shop.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Keywords is a goods name search, planned for the indexes the database has.
 *
 * <p>Words of at least {@link #MIN_WORD} letters or digits, none of them CJK, go to the FULLTEXT
 * index as a boolean-mode query in which every word must start a word of the name
 * ({@code +word*}). The default parser of MariaDB (and of MySQL without {@code WITH PARSER ngram})
 * splits names on spaces and punctuation only and does not index words shorter than three
 * characters, so CJK text (written without spaces) and short words cannot be found that way: when
 * no word qualifies, the whole text must instead be a prefix of the name ({@code LIKE 'text%'}, on
 * the name index). Both are case-insensitive through the column's collation. Words that do not
 * qualify are left out when others do.
 */
public final class Keywords {
    /** MIN_WORD is InnoDB's default innodb_ft_min_token_size. */
    public static final int MIN_WORD = 3;
    /** MAX_LENGTH bounds the search text. */
    public static final int MAX_LENGTH = 100;

    private final List<String> words;
    private final String prefix;

    private Keywords(List<String> words, String prefix) {
        this.words = List.copyOf(words);
        this.prefix = prefix;
    }

    /** parse plans a search for the given text (already validated as non-blank, at most 100 characters). */
    public static Keywords parse(String text) {
        String trimmed = text.strip();
        List<String> words = new ArrayList<>();
        for (String token : trimmed.split("[^\\p{L}\\p{N}]+")) {
            if (token.codePointCount(0, token.length()) >= MIN_WORD && token.codePoints().noneMatch(Keywords::isCjk)) {
                words.add(token.toLowerCase(Locale.ROOT));
            }
        }
        if (!words.isEmpty()) {
            return new Keywords(words, null);
        }
        return new Keywords(List.of(), trimmed);
    }

    /** usesFullText tells whether the search goes to the FULLTEXT index. */
    public boolean usesFullText() {
        return !words.isEmpty();
    }

    /** booleanQuery is the {@code MATCH ... AGAINST (... IN BOOLEAN MODE)} text: {@code +word* +other*}. */
    public String booleanQuery() {
        return String.join(" ", words.stream().map(w -> "+" + w + "*").toList());
    }

    /** likePattern is the {@code LIKE} pattern for a prefix search, with %, _ and \ escaped. */
    public String likePattern() {
        return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    /** matchesNothing tells whether the text has nothing searchable (only punctuation). */
    public boolean matchesNothing() {
        return words.isEmpty() && (prefix == null || prefix.isEmpty());
    }

    static boolean isCjk(int cp) {
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }

    @Override
    public String toString() {
        return usesFullText() ? "fulltext(" + booleanQuery() + ")" : "prefix(" + prefix + ")";
    }
}
