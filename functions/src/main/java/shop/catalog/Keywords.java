package shop.catalog;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Keywords is a goods name search, split into the terms the word index ({@code goods_word}, V204)
 * answers; a goods matches when it matches every term.
 *
 * <p>Names and search text are cut the same way ({@link #indexWords} on write, {@link #parse} on
 * read): normalised (compatibility forms folded, accents dropped, lower case), then split into
 * runs of letters and digits, CJK characters apart from the rest. A run of other letters or digits
 * is a word: a search word of {@link #MIN_PREFIX} or more characters must start a word of the name
 * ({@code tea} finds "teapot"), a shorter one must be a whole word ({@code tv} finds "Smart TV",
 * not "TVs"). Chinese, Japanese and Korean text has no spaces between words, so a CJK run is
 * indexed as its single characters and its overlapping pairs (红富士 gives 红, 富, 士, 红富, 富士): a
 * search run of one character must occur in the name, a longer run matches when all its pairs do
 * ({@code 苹果} finds "红富士苹果").
 */
public final class Keywords {
    /** MIN_PREFIX is the shortest search word that matches as a prefix; shorter ones match whole words. */
    public static final int MIN_PREFIX = 3;
    /** MAX_LENGTH bounds the search text. */
    public static final int MAX_LENGTH = 100;
    /** MAX_WORD is the longest word stored or searched (goods_word.word); longer ones are cut. */
    static final int MAX_WORD = 200;

    /** Term is one condition: {@code text} must be a word of the name, or start one when {@code prefix}. */
    public record Term(String text, boolean prefix) {
    }

    private final List<Term> terms;

    private Keywords(List<Term> terms) {
        this.terms = List.copyOf(terms);
    }

    /** parse plans a search for the given text (already validated as at most 100 characters). */
    public static Keywords parse(String text) {
        Set<Term> terms = new LinkedHashSet<>();
        for (String run : runs(text)) {
            int length = run.codePointCount(0, run.length());
            if (!isCjk(run.codePointAt(0))) {
                terms.add(new Term(run, length >= MIN_PREFIX));
            } else if (length == 1) {
                terms.add(new Term(run, false));
            } else {
                terms.addAll(pairs(run).stream().map(p -> new Term(p, false)).toList());
            }
        }
        return new Keywords(new ArrayList<>(terms));
    }

    /** indexWords are the entries of a name in the word index: its words, and the characters and pairs of its CJK runs. */
    public static Set<String> indexWords(String name) {
        Set<String> words = new TreeSet<>();
        for (String run : runs(name)) {
            if (!isCjk(run.codePointAt(0))) {
                words.add(run);
            } else {
                run.codePoints().forEach(cp -> words.add(Character.toString(cp)));
                words.addAll(pairs(run));
            }
        }
        return words;
    }

    /** terms are the conditions, in the order of the text, without repeats. */
    public List<Term> terms() {
        return terms;
    }

    /** matchesNothing tells whether the text has nothing searchable (only punctuation or spaces). */
    public boolean matchesNothing() {
        return terms.isEmpty();
    }

    /** normalize folds compatibility forms (full-width letters, ligatures), drops accents and lowers case. */
    static String normalize(String text) {
        String decomposed = Normalizer.normalize(text, Normalizer.Form.NFKD).toLowerCase(Locale.ROOT);
        StringBuilder out = new StringBuilder(decomposed.length());
        decomposed.codePoints().filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                .forEach(out::appendCodePoint);
        return Normalizer.normalize(out, Normalizer.Form.NFC); // recomposes Hangul syllables
    }

    /** runs splits normalised text into runs of word characters, CJK runs apart from the others. */
    private static List<String> runs(String text) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        Boolean cjkRun = null;
        for (int cp : normalize(text).codePoints().toArray()) {
            boolean word = Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.COMBINING_SPACING_MARK;
            boolean cjk = word && isCjk(cp);
            if (!word || (cjkRun != null && cjk != cjkRun)) {
                flush(run, runs);
                cjkRun = null;
            }
            if (word) {
                run.appendCodePoint(cp);
                cjkRun = cjk;
            }
        }
        flush(run, runs);
        return runs;
    }

    private static void flush(StringBuilder run, List<String> runs) {
        if (!run.isEmpty()) {
            String s = run.toString();
            runs.add(s.codePointCount(0, s.length()) > MAX_WORD ? s.substring(0, s.offsetByCodePoints(0, MAX_WORD)) : s);
            run.setLength(0);
        }
    }

    /** pairs are the overlapping pairs of characters of a CJK run of two or more. */
    private static List<String> pairs(String run) {
        int[] cps = run.codePoints().toArray();
        List<String> out = new ArrayList<>();
        for (int i = 0; i + 1 < cps.length; i++) {
            out.add(new String(cps, i, 2));
        }
        return out;
    }

    static boolean isCjk(int cp) {
        if (cp == 0x30FC) {
            return true; // the katakana long vowel mark (script Common) belongs inside katakana words: コーヒー
        }
        Character.UnicodeScript s = Character.UnicodeScript.of(cp);
        return s == Character.UnicodeScript.HAN || s == Character.UnicodeScript.HIRAGANA
                || s == Character.UnicodeScript.KATAKANA || s == Character.UnicodeScript.HANGUL;
    }

    @Override
    public String toString() {
        return terms.stream().map(t -> t.prefix() ? t.text() + "*" : t.text()).toList().toString();
    }
}
