package io.altocumulus.rtmfp.amf;

/**
 * AMF Date: milliseconds since the Unix epoch (UTC) as a double, plus the AMF0 time-zone field
 * (AMF0 spec §2.13: reserved, written as 0; AMF3 has no such field and reads it as 0).
 */
public record AmfDate(double epochMillis, int timezone) {
  public AmfDate(double epochMillis) {
    this(epochMillis, 0);
  }
}
