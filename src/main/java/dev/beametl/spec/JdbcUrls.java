package dev.beametl.spec;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JDBC URL may carry and how the drivers read it. A password never travels in a URL -
 * {@code user:secret@host}, {@code password=secret}, {@code user/secret@host} - since a URL is
 * echoed in errors, logs and reports; it comes from {@code passwordEnv} or {@code passwordFile}.
 */
public final class JdbcUrls {
  /**
   * user:secret@ after //: a secret of any characters but / and @ ({@code pa?ss}), or one with a / in
   * it but no ? ; or & (a trial's {@code //etl:s3cr3t/pw@host}, which drivers take for a path and
   * then repeat in their errors). Not a port (or a list of hosts) followed by parameters, or by a
   * path and parameters with an @ in them ({@code //srv:5432/db?user=admin@srv},
   * {@code //srv:1433;user=admin@srv}, as Azure's databases want), nor an IPv6 host. A port and a
   * path with an @ in it ({@code //host:9092/~/data@2024}) cannot be told from a secret with a / in
   * it: it is refused, as a secret would be.
   */
  private static final Pattern USER_INFO = Pattern.compile(
      "(//[^/@?;&:\\[\\]]*):(?!\\d+(?:,[^,/@?;&]*)*[?;&][\\w.\\-]+=)([^@/]*|[^@?;&]*)@");
  /** Oracle's user/secret@ (thin, OCI and server-side drivers). */
  private static final Pattern THIN = Pattern.compile("(?i)(:(?:thin|oci8?|kprb):[^/@:]+)/([^@]+)@");
  /** How the keys of secret parameters end: password=, keyStoreSecret=, accessToken=, SecretAccessKey=. */
  private static final String SECRET_KEYS = "password|passwd|pwd|secret|token|secretaccesskey";
  /**
   * A parameter whose key ends in password, passwd or pwd (or secret, token, secretAccessKey) (password=, sslpassword=, trustStorePassword=),
   * also after a space ({@code ; password=}), and in MySQL's address forms
   * ({@code (host=h)(password=x)}, {@code (host=h,password=x)}); an empty one ({@code ;PASSWORD=}, as
   * H2 URLs often end) holds none.
   */
  private static final Pattern PARAM = Pattern.compile(
      "(?i)([?&;:(,]\\s*[\\w.\\-]*(?:" + SECRET_KEYS + ")\\d*\\s*=)([^&;),]+)");
  /** A quoted SQL text, a quote in it doubled: possessive, so a long one neither backtracks nor recurses. */
  private static final String SQL_TEXT = "'[^']*+(?:''[^']*+)*+'";
  /**
   * A password=... anywhere in a message, URL or not (also sslpassword=..., password='...'), and any
   * key=, api_key=, accessKey= or credentials=: a URL is refused for the keys above only (sslkey= is a
   * file's path), but a driver's message may repeat any parameter (a trial: SQLCipher's key=).
   */
  private static final Pattern ANY_PARAM = Pattern.compile(
      "(?i)((?<![\\w.\\-])[\\w.\\-]*(?:" + SECRET_KEYS + "|key|credentials?)\\d*\\s*=\\s*)(" + SQL_TEXT
      + "|[^&;\\s,'\")]+)");
  /**
   * SQL's PASSWORD 'secret' (also = 'secret', ('secret'), U&'...', N'...', $$secret$$), with or
   * without a space or a comment before the text: a message quoting an H2 INIT's SET PASSWORD or
   * CREATE USER. The keyword stands after a space, ; = ( * / or ", so that a directory named
   * {@code rotate-password} or a value {@code 'password'} is none.
   */
  private static final Pattern SQL_PASSWORD = Pattern.compile("(?i)((?:^|[\\s;=(*/\"])password\\s*=?\\s*"
      + "(?:/\\*[^*]*\\*+(?:[^/*][^*]*\\*+)*/\\s*)*+\\(?\\s*(?:U&|N)?)(" + SQL_TEXT + "|\\$\\$.*?\\$\\$)");
  /** H2's CREATE LINKED TABLE t(driver, url, user, password, table) and LINK_SCHEMA(...): a password among them. */
  private static final Pattern LINKED = Pattern.compile(
      "(?i)(\\b(?:LINKED\\s+TABLE\\b[^(]*|LINK_SCHEMA\\s*))\\((?:" + SQL_TEXT + "|[^')])*+\\)");
  /** An H2 URL's INIT setting, up to the first unescaped ';'. */
  private static final Pattern H2_INIT = Pattern.compile("(?i)^jdbc:h2:.*?;INIT=((?:\\\\;|[^;])*+)");
  /**
   * SQL in an H2 INIT that sets, creates or links with a password, whatever follows the keyword
   * ({@code SET PASSWORD = 'x'}, {@code PASSWORD CONCAT('s', 'x')}, {@code CREATE LINKED TABLE},
   * {@code LINK_SCHEMA}, {@code IDENTIFIED BY}): a review found forms the patterns above missed.
   */
  private static final Pattern INIT_SECRET = Pattern.compile("(?i)(?:(?<![\\w$.\\-/'])|(?<=\\*/))"
      + "(?:PASSWORD\\b(?!\\s*_)|LINK_SCHEMA\\s*\\(|IDENTIFIED\\s+BY\\b|LINKED\\s+TABLE\\b)");

  private JdbcUrls() {}

  /** Whether {@code url} holds a password in any of the forms drivers read. */
  public static boolean hasPassword(String url) {
    if (USER_INFO.matcher(url).find() || userInfoEnd(url, 0) >= 0 || THIN.matcher(url).find() || PARAM.matcher(url).find()
        || SQL_PASSWORD.matcher(url).find() || LINKED.matcher(url).find()) {
      return true;
    }
    Matcher init = H2_INIT.matcher(url);
    return init.find() && INIT_SECRET.matcher(init.group(1)).find();
  }

  /** A port, or a list of hosts after it, then a path or parameters: what may follow {@code //host:}. */
  private static final Pattern PORT_THEN = Pattern.compile("\\d+(?:,[^,/@?;&]*)*([/?;&].*)");

  /**
   * Where the secret of the first {@code //user:secret@} at or after {@code from} begins and ends
   * ({@code [begin, end)}, end at the last @ of the URL's text), as one long, {@code begin << 32 | end};
   * -1 when there is none. {@link #USER_INFO} lets a secret with both a / and a ? ; or & in it pass
   * ({@code //etl:pa/ss?x@host}, which a trial's driver echoed whole): here anything after the
   * colon is a secret unless it is a port followed by a path or parameters whose @ stands in a
   * parameter's value ({@code //srv:5432/db?user=admin@srv}). A port and a path with an @
   * ({@code //host:9092/~/data@2024}) is a secret here too, as for {@link #USER_INFO}.
   */
  private static long userInfoEnd(String url, int from) {
    for (int slashes = url.indexOf("//", from); slashes >= 0; slashes = url.indexOf("//", slashes + 2)) {
      int i = slashes + 2;
      while (i < url.length() && "/@?;&:[]".indexOf(url.charAt(i)) < 0 && !Character.isWhitespace(url.charAt(i))) {
        i++;
      }
      if (i >= url.length() || url.charAt(i) != ':') {
        continue;
      }
      int end = i + 1;
      while (end < url.length() && !Character.isWhitespace(url.charAt(end)) && "\"'".indexOf(url.charAt(end)) < 0) {
        end++;
      }
      int at = url.lastIndexOf('@', end - 1);
      if (at <= i) {
        continue;
      }
      String rest = url.substring(i + 1, url.indexOf('@', i + 1));
      Matcher port = PORT_THEN.matcher(rest);
      int lastSeparator = Math.max(rest.lastIndexOf('?'), Math.max(rest.lastIndexOf(';'), rest.lastIndexOf('&')));
      if (port.matches() && lastSeparator >= 0 && rest.indexOf('=', lastSeparator) > lastSeparator) {
        continue; // the @ is in a parameter's value
      }
      return ((long) (i + 1) << 32) | at;
    }
    return -1;
  }

  /** {@code text} with every password a JDBC URL in it could carry replaced by {@code ***}. */
  public static String scrub(String text) {
    StringBuilder masked = new StringBuilder(text);
    for (long span = userInfoEnd(masked.toString(), 0); span >= 0; ) {
      int begin = (int) (span >>> 32);
      int end = (int) span;
      masked.replace(begin, end, "***");
      span = userInfoEnd(masked.toString(), begin + 4);
    }
    text = masked.toString();
    String s = USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":***@"));
    s = THIN.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "/***@"));
    s = SQL_PASSWORD.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "'***'"));
    s = LINKED.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "(***)"));
    return ANY_PARAM.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "***"));
  }

  /** The URL's scheme, {@code jdbc:sqlite:}: what may be said of a URL no driver takes, without its parameters. */
  public static String scheme(String url) {
    Matcher scheme = SCHEME.matcher(url);
    return scheme.lookingAt() ? scheme.group() : "such"; // jdbc:postgresql//etl:pw@db has none, and says nothing
  }

  private static final Pattern SCHEME = Pattern.compile("(?i)jdbc:[a-z0-9._+-]+:");

  /** Whether the URL is MariaDB's or MySQL's, which the bundled MariaDB driver serves. */
  public static boolean isMariaDb(String url) {
    String u = url.toLowerCase(java.util.Locale.ROOT);
    return u.startsWith("jdbc:mariadb:") || u.startsWith("jdbc:mysql:");
  }

  /**
   * The URL as the bundled drivers take it: MariaDB's driver serves MySQL's {@code jdbc:mysql:}
   * URLs only when they say {@code permitMysqlScheme}.
   */
  public static String forDriver(String url) {
    if (url.startsWith("jdbc:mysql:") && !url.contains("permitMysqlScheme")) {
      return url + (url.contains("?") ? "&" : "?") + "permitMysqlScheme";
    }
    return url;
  }
}
