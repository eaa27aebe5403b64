package io.altocumulus.rtmfp.handshake;

import io.altocumulus.rtmfp.crypto.Certificates;
import io.altocumulus.rtmfp.crypto.DhGroup;
import io.altocumulus.rtmfp.crypto.DhKeyPair;
import io.altocumulus.rtmfp.crypto.KeyingComponents;
import java.security.SecureRandom;

/**
 * A client's identity as a peer (RTMFP-WIRE §6.1): a static Diffie-Hellman key pair and the
 * Flash-style certificate that carries it ({@code 1d <group> <key>}). The peer id is SHA-256 of
 * that certificate, so the same certificate must go in every IIKeying (to the server, to peers)
 * and in every RHello this client sends as a P2P responder: that is what lets another peer find
 * it by id and check, on the RHello, that it reached the right peer (RFC 7425 §4.3).
 */
public final class PeerIdentity {
  private final DhKeyPair pair;
  private final byte[] certificate;
  private final byte[] peerId;

  public PeerIdentity(DhKeyPair pair) {
    this.pair = pair;
    this.certificate = KeyingComponents.initiatorCertificate(pair.group(), pair.publicKey());
    this.peerId = Certificates.peerId(certificate);
  }

  /** A fresh identity in group 2, the group Flash uses (RTMFP-WIRE §4.5). Costs one DH key generation. */
  public static PeerIdentity generate(SecureRandom random) {
    return new PeerIdentity(DhKeyPair.generate(DhGroup.MODP_1024, random));
  }

  public DhKeyPair pair() {
    return pair;
  }

  public DhGroup group() {
    return pair.group();
  }

  public byte[] certificate() {
    return certificate.clone();
  }

  public byte[] peerId() {
    return peerId.clone();
  }

  /** The certificate without a copy (read-only by contract). */
  byte[] certificateView() {
    return certificate;
  }
}
