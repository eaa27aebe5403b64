package io.altocumulus.rtmfp.amf;

import java.util.Objects;

/**
 * XML text. {@code legacyXmlDocument} is true for the legacy {@code flash.xml.XMLDocument} (AMF3
 * 0x07, and AMF0's only XML type 0x0F), false for E4X {@code XML} (AMF3 0x0B).
 */
public record AmfXml(String xml, boolean legacyXmlDocument) {
  public AmfXml {
    Objects.requireNonNull(xml);
  }
}
