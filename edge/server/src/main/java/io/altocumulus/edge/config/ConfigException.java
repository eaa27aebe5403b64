package io.altocumulus.edge.config;

/**
 * A configuration value (from the INI file or the command line) was refused at start-up. The
 * message names the key, the bad value and what is valid, e.g.
 * {@code keepAliveServer=3 is out of range: valid 5..65535 (seconds)}.
 */
public final class ConfigException extends RuntimeException {
  private final String key;

  public ConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  public ConfigException(String key, String message, Throwable cause) {
    super(message, cause);
    this.key = key;
  }

  /** The offending key, e.g. {@code keepAliveServer}. */
  public String key() {
    return key;
  }
}
