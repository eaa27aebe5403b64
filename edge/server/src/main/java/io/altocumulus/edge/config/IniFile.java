package io.altocumulus.edge.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads an INI file the way POCO's IniFileConfiguration does (CUMULUS-FEATURES §2):
 * {@code [section]} headers, {@code key=value} lines, whole-line comments. A key {@code k}
 * under {@code [s]} is named {@code s.k}; keys are case-insensitive.
 *
 * <p>Only whole-line comments ({@code ;} or {@code #} as first non-blank character) are
 * recognised: a {@code ;} inside a value is data, as {@code servers.targets} separates its
 * entries with {@code ;}. A line without {@code =} is a key with an empty value (POCO does the
 * same). Later occurrences of a key replace earlier ones.
 */
public final class IniFile {
  private IniFile() {}

  /** A case-insensitive map (first spelling of each key is kept) in key order. */
  public static TreeMap<String, String> newKeyMap() {
    return new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
  }

  public static Map<String, String> parse(Reader reader) throws IOException {
    TreeMap<String, String> out = newKeyMap();
    BufferedReader in = reader instanceof BufferedReader ? (BufferedReader) reader : new BufferedReader(reader);
    String section = "";
    String line;
    boolean first = true;
    while ((line = in.readLine()) != null) {
      if (first && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1); // UTF-8 BOM written by some editors
      }
      first = false;
      String t = line.strip();
      if (t.isEmpty() || t.charAt(0) == ';' || t.charAt(0) == '#') {
        continue;
      }
      if (t.charAt(0) == '[') {
        int end = t.indexOf(']');
        section = (end < 0 ? t.substring(1) : t.substring(1, end)).strip();
        continue;
      }
      int eq = t.indexOf('=');
      String key = (eq < 0 ? t : t.substring(0, eq)).strip();
      String value = eq < 0 ? "" : t.substring(eq + 1).strip();
      if (key.isEmpty()) {
        continue;
      }
      String full = section.isEmpty() ? key : section + "." + key;
      out.put(full, value);
    }
    return out;
  }
}
