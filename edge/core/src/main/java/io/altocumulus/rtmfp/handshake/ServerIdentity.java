package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.crypto.Certificates;
import java.security.SecureRandom;

/**
 * The server's certificate (RFC 7425 §4.3, RTMFP-WIRE §4.3) and the peer id it implies. Made
 * once per process; shared read-only by all loops.
 */
public final class ServerIdentity {
  private final byte[] certificate;
  private final byte[] peerId;

  public ServerIdentity(byte[] certificate) {
    this.certificate = certificate.clone();
    this.peerId = Certificates.peerId(certificate);
  }

  public static ServerIdentity generate(SecureRandom random) {
    byte[] r = new byte[64];
    random.nextBytes(r);
    return new ServerIdentity(Certificates.serverCertificate(r));
  }

  public byte[] certificate() {
    return certificate;
  }

  public byte[] peerId() {
    return peerId;
  }
}
