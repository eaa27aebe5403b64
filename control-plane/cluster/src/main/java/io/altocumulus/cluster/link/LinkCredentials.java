package io.altocumulus.cluster.link;

import io.altocumulus.cluster.ClusterConfig;
import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * gRPC credentials of a node: with {@code cluster.tls.*}, mutual TLS (the server requires a
 * client certificate signed by the cluster CA; the client checks the server's against the same
 * CA and its host name). Cumulus's links had neither encryption nor authentication (RTMFP-WIRE
 * §10); a node without the cluster's credentials is refused during the TLS handshake. Without
 * TLS settings, plaintext: for one machine and tests only.
 */
public final class LinkCredentials {
  private final ServerCredentials server;
  private final ChannelCredentials channel;
  private final boolean tls;

  private LinkCredentials(ServerCredentials server, ChannelCredentials channel, boolean tls) {
    this.server = server;
    this.channel = channel;
    this.tls = tls;
  }

  public static LinkCredentials insecure() {
    return new LinkCredentials(InsecureServerCredentials.create(), InsecureChannelCredentials.create(), false);
  }

  public static LinkCredentials from(Optional<ClusterConfig.Tls> tls) {
    return tls.map(LinkCredentials::mutualTls).orElseGet(LinkCredentials::insecure);
  }

  /** Mutual TLS from PEM files (certificate chain, PKCS#8 key, CA). */
  public static LinkCredentials mutualTls(ClusterConfig.Tls t) {
    try {
      ServerCredentials server = TlsServerCredentials.newBuilder()
          .keyManager(t.certChain().toFile(), t.privateKey().toFile())
          .trustManager(t.trustCa().toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
      ChannelCredentials channel = TlsChannelCredentials.newBuilder()
          .keyManager(t.certChain().toFile(), t.privateKey().toFile())
          .trustManager(t.trustCa().toFile())
          .build();
      return new LinkCredentials(server, channel, true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TLS material " + t, e);
    }
  }

  public ServerCredentials server() {
    return server;
  }

  public ChannelCredentials channel() {
    return channel;
  }

  public boolean tls() {
    return tls;
  }
}
