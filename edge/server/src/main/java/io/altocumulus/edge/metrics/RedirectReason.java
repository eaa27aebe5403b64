package io.altocumulus.edge.metrics;

import java.util.Locale;

/**
 * Why an IHello was answered with a Redirect (RTMFP-WIRE §4.10), as a bounded label value of
 * {@code rtmfp_redirects_total{reason}}. Only reasons the node can produce today are listed:
 * issue 4 adds {@code APPLICATION} (Lua {@code onHandshake} returned addresses), issue 5
 * {@code RENDEZVOUS} ({@code onRendezVousUnknown}), issue 6 {@code LOAD} (cluster load balancing),
 * each with one {@code EdgeMetrics.redirected(reason)} call where it decides.
 */
public enum RedirectReason {
  /** The {@code redirectTo} key: every client is sent to the listed edges (draining by hand). */
  CONFIGURED,
  /** The app's {@code onHandshake} returned addresses (CUMULUS-FEATURES §4). */
  APPLICATION,
  /** A P2P introduction: the initiator is sent to the target peer's addresses (RTMFP-WIRE §6.3). */
  INTRODUCTION,
  /** Cluster load balancing: the node is draining or over its capacity (issue 6, {@code RedirectPolicy}). */
  LOAD;

  final String label = name().toLowerCase(Locale.ROOT);

  public String label() {
    return label;
  }
}
