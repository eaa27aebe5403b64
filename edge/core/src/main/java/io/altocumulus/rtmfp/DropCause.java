package io.altocumulus.rtmfp;

/**
 * Why an incoming datagram, chunk or message was refused. Every refusal is counted under one of
 * these causes (see {@link DropCounters}); the names become metric label values, so they are a
 * small fixed set.
 */
public enum DropCause {
  /** Shorter than the 12-byte minimum (RTMFP-WIRE §1) or not a multiple of 16 after the SSID. */
  TOO_SHORT,
  /** Encrypted part not a whole number of AES blocks (RTMFP-WIRE §2.1). */
  BAD_LENGTH,
  /** Checksum mismatch after decryption: wrong key, corruption or forgery (RTMFP-WIRE §2.4). */
  BAD_CHECKSUM,
  /** Per-packet HMAC mismatch on a session that negotiated it (RFC 7425 §4.6.4). */
  BAD_HMAC,
  /** Session sequence number already seen or older than the replay window (RFC 7425 §4.6.4). */
  REPLAYED_PACKET,
  /** Non-zero session id that names no session of ours (RTMFP-WIRE §2.2). */
  UNKNOWN_SESSION,
  /** Flags/marker byte with a mode not allowed here (RTMFP-WIRE §2.5). */
  BAD_MARKER,
  /** A chunk whose declared length or inner fields run past its end, or are out of range. */
  MALFORMED_CHUNK,
  /** A handshake chunk not valid in this state (for example RHello sent to a responder). */
  UNEXPECTED_CHUNK,
  /** IHello with an endpoint discriminator we do not serve. */
  BAD_ENDPOINT_DISCRIMINATOR,
  /** Cookie that fails its MAC, has expired, or does not match the source address. */
  BAD_COOKIE,
  /** Cookie already used by another IIKeying (replay) with different content. */
  REPLAYED_COOKIE,
  /** Peer's DH public key outside the RFC 7425 §4.6.2 bounds, or an unsupported group. */
  BAD_DH_KEY,
  /** Keying component or certificate we cannot parse. */
  BAD_KEYING,
  /** Handshake work refused because the crypto worker queue is full (overload shedding). */
  HANDSHAKE_OVERLOAD,
  /** Source over its handshake rate limit. */
  RATE_LIMITED,
  /** User data for a flow we do not know, without the options that would open it. */
  UNKNOWN_FLOW,
  /** A flow, reassembly or session limit was reached. */
  LIMIT_EXCEEDED,
  /** TC message (Flash profile framing) that cannot be parsed. */
  MALFORMED_MESSAGE,
  /** AMF that cannot be decoded, is too deep or too large. */
  MALFORMED_AMF,
  /** Session is closing; late data ignored. */
  SESSION_CLOSING,
  /** Node at its session capacity. */
  CAPACITY
}
