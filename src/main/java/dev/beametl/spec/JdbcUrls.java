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
      "(//[^/@?;&:\\[\\]]*):(?!\\d+(?:,[^,/@?;&]*)*[?;&])([^@/]*|[^@?;&]*)@");
  /** Oracle's user/secret@ (thin, OCI and server-side drivers). */
  private static final Pattern THIN = Pattern.compile("(?i)(:(?:thin|oci8?|kprb):[^/@:]+)/([^@]+)@");
  /**
   * A parameter whose key ends in password, passwd or pwd (password=, sslpassword=, trustStorePassword=),
   * also after a space ({@code ; password=}), and in MySQL's address forms
   * ({@code (host=h)(password=x)}, {@code (host=h,password=x)}).
   */
  private static final Pattern PARAM = Pattern.compile(
      "(?i)([?&;:(,]\\s*[\\w.\\-]*(?:password|passwd|pwd)\\d*\\s*=)([^&;),]*)");
  /** A password=... anywhere in a message, URL or not (also sslpassword=...). */
  private static final Pattern ANY_PARAM = Pattern.compile(
      "(?i)(\\b[\\w.\\-]*(?:password|passwd|pwd)\\d*\\s*=\\s*)([^&;\\s,'\")]+)");
  /**
   * SQL's PASSWORD 'secret' (a quote in it doubled; U&'...' and N'...' too), or H2's
   * {@code PASSWORD $$secret$$}, with or without a space or a comment before it: run at connect by
   * H2's INIT=SET PASSWORD '...' or CREATE USER. The keyword stands after a space, ; = or (, so that
   * a directory named {@code rotate-password} or a value {@code 'password'} is none.
   */
  private static final Pattern SQL_PASSWORD = Pattern.compile(
      "(?i)((?:^|[\\s;=(])password\\s*(?:/\\*.*?\\*/\\s*)*(?:U&|N)?)('(?:[^']|'')*'|\\$\\$.*?\\$\\$)");
  /** H2's CREATE LINKED TABLE t(driver, url, user, password, table): its arguments hold a password. */
  private static final Pattern LINKED_TABLE = Pattern.compile("(?i)(\\bLINKED\\s+TABLE\\b[^(]*)\\([^)]*\\)");

  private JdbcUrls() {}

  /** Whether {@code url} holds a password in any of the forms drivers read. */
  public static boolean hasPassword(String url) {
    return USER_INFO.matcher(url).find() || THIN.matcher(url).find() || PARAM.matcher(url).find()
        || SQL_PASSWORD.matcher(url).find() || LINKED_TABLE.matcher(url).find();
  }

  /** {@code text} with every password a JDBC URL in it could carry replaced by {@code ***}. */
  public static String scrub(String text) {
    String s = USER_INFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":***@"));
    s = THIN.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "/***@"));
    s = SQL_PASSWORD.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "'***'"));
    s = LINKED_TABLE.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "(***)"));
    return ANY_PARAM.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "***"));
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
