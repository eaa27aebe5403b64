package io.altocumulus.cluster;

/**
 * A cluster key of the INI file was refused at start-up. The message names the key, the bad value
 * and what is valid, e.g. {@code grpc.port=70000 is out of range: valid 0..65535}.
 */
public final class ClusterConfigException extends IllegalArgumentException {
  private final String key;

  public ClusterConfigException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The offending key, e.g. {@code grpc.port}. */
  public String key() {
    return key;
  }
}
