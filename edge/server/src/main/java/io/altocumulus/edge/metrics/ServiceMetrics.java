package io.altocumulus.edge.metrics;

import io.altocumulus.edge.group.NetGroups;
import io.altocumulus.edge.lua.LuaHost;
import io.altocumulus.edge.lua.io.IoStats;
import io.altocumulus.edge.p2p.Introducer;
import io.altocumulus.edge.stream.StreamRegistry;
import io.altocumulus.rendezvous.Rendezvous;
import io.altocumulus.rendezvous.local.LocalRendezvous;
import io.altocumulus.rtmfp.flow.FlowTotals;
import io.altocumulus.rtmfp.session.RtmfpEndpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The metrics of the layers above the RTMFP core (issue 7): flow reliability and the media relay,
 * the Lua host, P2P rendezvous and NetGroups. Everything is read at scrape time from counters the
 * layers keep anyway ({@link FlowTotals} per event loop, {@code LongAdder}s elsewhere): nothing
 * is added to the packet path. Label values are fixed sets, never a peer, group, stream or app.
 *
 * <p>Each method registers one area; {@link EdgeMetrics#bindServices} calls them all for a node.
 */
public final class ServiceMetrics {
  private ServiceMetrics() {}

  /**
   * Flow reliability (RFC 7016 §3.6.2.3) summed over the loops' {@link FlowTotals}, and the media
   * relay (RTMFP-WIRE §8.8) from the stream registry's totals.
   *
   * @param endpoints each event loop's endpoint (only their totals are read, from the scrape thread)
   */
  public static void relay(NodeMetrics m, Supplier<? extends List<RtmfpEndpoint>> endpoints, StreamRegistry streams) {
    m.counterOf("rtmfp_fragments_sent_total", "User data fragments sent on all flows, retransmissions included.",
        sum(endpoints, FlowTotals::fragmentsSent));
    m.counterOf("rtmfp_retransmitted_fragments_total",
        "Fragments sent again after a loss or a retransmission timeout (RFC 7016 §3.6.2.3).",
        sum(endpoints, FlowTotals::retransmittedFragments));
    m.counterOf("rtmfp_abandoned_fragments_total",
        "Fragments given up on: unreliable ones lost, or media past its deadline (RFC 7016 §3.6.2.3.2).",
        sum(endpoints, FlowTotals::abandonedFragments));
    m.counterOf("rtmfp_relay_sent_bytes_total",
        "Audio and video message bytes queued toward players (before RTMFP framing and retransmission).",
        streams::relayedBytes);
    Map<String, LongSupplier> dropped = new LinkedHashMap<>();
    // Only the relay's player flows carry deadlines and queue limits (Player, RelayConfig).
    dropped.put("expired", sum(endpoints, FlowTotals::expiredMessages));
    dropped.put("queue_full", sum(endpoints, FlowTotals::droppedMessages));
    m.counterOf("rtmfp_relay_dropped_messages_total",
        "Media messages to players not delivered: past relay.audioDeadline/videoDeadline (expired) "
            + "or over relay.queueLimit (queue_full).", "reason", dropped);
    m.counterOf("rtmfp_publish_lost_fragments_total",
        "Fragments publishers lost on their way to this node (gaps in their media flows).",
        streams::publisherLostFragments);
    m.counterOf("rtmfp_publish_keyframe_wait_drops_total",
        "Video frames from publishers held back until a keyframe (at start, or after a loss).",
        streams::keyframeWaitDrops);
  }

  /**
   * The Lua host (CUMULUS-FEATURES §3): errors, budget stops, apps, and the refusals of its sockets
   * and mail. Exported as zeros when Lua is off ({@code lua} null), so every node has the same series.
   */
  public static void lua(NodeMetrics m, LuaHost lua, IoStats io) {
    m.counterOf("rtmfp_lua_errors_total", "Lua errors: script loads, events, RPCs (compile or run time).",
        () -> lua == null ? 0 : lua.scriptErrors());
    m.counterOf("rtmfp_lua_budget_stops_total", "Lua callbacks stopped by the instruction budget (lua.budget).",
        () -> lua == null ? 0 : lua.budgetStops());
    m.counterOf("rtmfp_lua_memory_stops_total", "Lua applications stopped because their data went over lua.maxMemory.",
        () -> lua == null ? 0 : lua.memoryStops());
    Map<String, DoubleSupplier> apps = new LinkedHashMap<>();
    apps.put("running", () -> lua == null ? 0 : lua.apps(false));
    apps.put("failed", () -> lua == null ? 0 : lua.apps(true));
    m.gaugeOf("rtmfp_lua_apps", "Applications with a main.lua loaded: running, or failed to load.", "state", apps);
    Map<String, LongSupplier> refused = new LinkedHashMap<>();
    refused.put("tcp_send", () -> io == null ? 0 : io.tcpSendsRefused());
    refused.put("tcp_accept", () -> io == null ? 0 : io.tcpAcceptsRefused());
    refused.put("tcp_kept_overflow", () -> io == null ? 0 : io.tcpKeptOverflows());
    refused.put("udp_send", () -> io == null ? 0 : io.udpSendsRefused());
    refused.put("udp_queue_full", () -> io == null ? 0 : io.udpDatagramsDropped());
    m.counterOf("rtmfp_lua_io_refusals_total",
        "Lua socket operations refused by their limits: sends, accepted clients, unread bytes, queued datagrams.",
        "reason", refused);
    m.counterOf("rtmfp_lua_tcp_read_pauses_total", "Times a Lua TCP socket stopped reading because the script was behind.",
        () -> io == null ? 0 : io.tcpReadPauses());
    Map<String, LongSupplier> mails = new LinkedHashMap<>();
    mails.put("sent", () -> io == null ? 0 : io.mailsSent());
    mails.put("failed", () -> io == null ? 0 : io.mailsFailed());
    mails.put("refused", () -> io == null ? 0 : io.mailsRefused());
    m.counterOf("rtmfp_lua_mails_total", "Mails from cumulus:sendMail: sent, failed at the SMTP relay, refused before it.",
        "result", mails);
  }

  /**
   * P2P rendezvous (RTMFP-WIRE §6.3) and NetGroups: introductions by result, IHello answers
   * pending, groups and joins; the peer directory's size when it is the in-process one.
   */
  public static void rendezvous(NodeMetrics m, Supplier<? extends List<RtmfpEndpoint>> endpoints,
      Introducer introducer, NetGroups groups, Rendezvous rendezvous) {
    Map<String, LongSupplier> intro = new LinkedHashMap<>();
    intro.put("forwarded", introducer::introductions);
    intro.put("redirected", introducer::remoteIntroductions);
    intro.put("not_introducible", introducer::notIntroducible);
    intro.put("unanswered", introducer::unanswered);
    m.counterOf("rtmfp_rendezvous_introductions_total",
        "Peer-id IHellos: forwarded to a peer here, redirected to another edge's peer, refused (peer without "
            + "setPeerInfo), unanswered (peer unknown).", "result", intro);
    m.gaugeOf("rtmfp_pending_hellos", "IHello answers deferred to the application or the rendezvous service.",
        () -> {
          long n = 0;
          for (RtmfpEndpoint ep : endpoints.get()) {
            n += ep.pendingHellos();
          }
          return n;
        });
    m.gaugeOf("rtmfp_netgroups", "NetGroups with at least one member on this node.", groups::count);
    m.counterOf("rtmfp_netgroup_joins_total", "NetGroup joins accepted (connected and virtual members).", groups::joins);
    m.counterOf("rtmfp_netgroup_leaves_total", "NetGroup members gone.", groups::leaves);
    Map<String, LongSupplier> refused = new LinkedHashMap<>();
    refused.put("groups_max", groups::refusedGroups);
    refused.put("members_max", groups::refusedMembers);
    refused.put("per_session", groups::refusedPerSession);
    refused.put("registry", groups::registryRefusals);
    m.counterOf("rtmfp_netgroup_join_refusals_total",
        "NetGroup joins refused: groups.max, groups.maxMembers, groups.perSession, or the group registry.",
        "reason", refused);
    if (rendezvous instanceof LocalRendezvous local) {
      m.gaugeOf("rtmfp_rendezvous_peers", "Peers in the in-process peer directory.", local::peerCount);
      m.gaugeOf("rtmfp_rendezvous_groups", "Groups in the in-process group registry.", local::groupCount);
      Map<String, LongSupplier> full = new LinkedHashMap<>();
      full.put("peers", local::refusedPeers);
      full.put("groups", local::refusedGroups);
      full.put("members", local::refusedMembers);
      m.counterOf("rtmfp_rendezvous_refusals_total",
          "Registrations or joins refused by rendezvous.maxPeers, rendezvous.maxGroups, rendezvous.maxMembers.",
          "reason", full);
    }
  }

  private static LongSupplier sum(Supplier<? extends List<RtmfpEndpoint>> endpoints, ToLongFunction<FlowTotals> f) {
    return () -> {
      long n = 0;
      for (RtmfpEndpoint ep : endpoints.get()) {
        n += f.applyAsLong(ep.flowTotals());
      }
      return n;
    };
  }
}
