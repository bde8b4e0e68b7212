package io.seatwarden.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built admin UI packed in the jar under {@code ui/} ({@code ui/dist} of the repository).
 *
 * <p>Only plain file names are served (no folders, no {@code ..}), with a content type from a
 * fixed list; anything else is "not found". The page itself gets the product's admin decorator
 * meta tags for this product and the API base filled in, so the same build serves the standalone
 * server and both products.
 */
final class UiAssets {

  /** Where the build sits inside the jar. */
  static final String ROOT = "ui/";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html;charset=UTF-8",
          "js", "text/javascript;charset=UTF-8",
          "css", "text/css;charset=UTF-8",
          "svg", "image/svg+xml",
          "map", "application/json;charset=UTF-8",
          "png", "image/png",
          "woff2", "font/woff2");

  private final ClassLoader loader;

  UiAssets(ClassLoader loader) {
    this.loader = loader;
  }

  /**
   * One asset.
   *
   * @param contentType its media type
   * @param body its bytes
   */
  record Asset(String contentType, byte[] body) {}

  /** The asset named {@code name}, or empty when there is none (or the name is not allowed). */
  Optional<Asset> find(String name) throws IOException {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      return Optional.empty();
    }
    int dot = name.lastIndexOf('.');
    String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    if (type == null) {
      return Optional.empty();
    }
    try (InputStream in = loader.getResourceAsStream(ROOT + name)) {
      if (in == null) {
        return Optional.empty();
      }
      return Optional.of(new Asset(type, in.readAllBytes()));
    }
  }

  /**
   * The UI page with this product's meta tags: the API base, and what the product's admin
   * decorator highlights ({@link AdminChrome}).
   */
  static String page(String html, String apiBase, AdminChrome chrome) {
    String out = setMeta(html, "seatwarden-api-base", apiBase);
    out = setMeta(out, "admin.active.section", chrome.activeSection());
    out = setMeta(out, "admin.active.tab", chrome.activeTab());
    if (chrome.selectedWebItem() != null) {
      int head = out.indexOf("</head>");
      if (head >= 0) {
        out =
            out.substring(0, head)
                + "<content tag=\"selectedWebItem\">"
                + attribute(chrome.selectedWebItem())
                + "</content>\n"
                + out.substring(head);
      }
    }
    return out;
  }

  private static String setMeta(String html, String name, String value) {
    Pattern tag =
        Pattern.compile("(<meta name=\"" + Pattern.quote(name) + "\" content=\")[^\"]*(\">)");
    Matcher m = tag.matcher(html);
    if (!m.find()) {
      return html;
    }
    return m.replaceFirst(Matcher.quoteReplacement(m.group(1) + attribute(value) + m.group(2)));
  }

  private static String attribute(String value) {
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
