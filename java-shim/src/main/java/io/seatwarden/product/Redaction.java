package io.seatwarden.product;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes personal data from a product's message before it becomes a failure detail.
 *
 * <p>Jira's and Confluence's validation messages name the user they are about ("cannot delete user
 * 'jdoe' because ..."). Details reach the audit log and the UI, which name users by key only, so
 * every known identifier of the people involved (username, display name, email, key) is replaced,
 * any remaining email address too, and the text is cut to a bounded length.
 */
public final class Redaction {
  /** The longest detail kept, in characters. */
  public static final int MAX_LENGTH = 300;

  private static final Pattern EMAIL =
      Pattern.compile("[^\\s@<>\"'()\\[\\],;:]+@[^\\s@<>\"'()\\[\\],;:]+");
  private static final Pattern SPACES = Pattern.compile("\\s+");

  private Redaction() {}

  /**
   * {@code text} without the given identifiers (case-insensitively) and without email addresses, or
   * {@code null} when nothing is left.
   *
   * @param text the product's message, may be null
   * @param personal identifiers of the people involved; nulls and one-letter values are ignored
   */
  public static String scrub(String text, Collection<String> personal) {
    if (text == null) {
      return null;
    }
    String out = EMAIL.matcher(text).replaceAll("<email>");
    List<String> tokens = new ArrayList<>();
    for (String p : personal) {
      if (p != null && p.strip().length() > 1) {
        tokens.add(p.strip());
      }
    }
    // Longest first, so "Jane Doe" goes before "jane".
    tokens.sort(Comparator.comparingInt(String::length).reversed());
    for (String token : tokens) {
      out =
          Pattern.compile(
                  "(?<![\\p{L}\\p{N}])" + Pattern.quote(token) + "(?![\\p{L}\\p{N}])",
                  Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
              .matcher(out)
              .replaceAll(Matcher.quoteReplacement("<user>"));
    }
    out = SPACES.matcher(out).replaceAll(" ").strip();
    if (out.isEmpty()) {
      return null;
    }
    if (out.length() > MAX_LENGTH) {
      out = out.substring(0, MAX_LENGTH - 1) + "\u2026";
    }
    return out;
  }

  /** Joins several messages into one detail (see {@link #scrub}). */
  public static String scrubAll(Collection<String> messages, Collection<String> personal) {
    List<String> parts = new ArrayList<>();
    for (String m : messages) {
      if (m != null && !m.isBlank()) {
        parts.add(m.strip());
      }
    }
    return scrub(String.join("; ", parts), personal);
  }

  /** Case folding of user and group names, as both products compare them. */
  public static String fold(String name) {
    return name == null ? null : name.toLowerCase(Locale.ROOT);
  }
}
