package io.altocumulus.cluster;

import io.altocumulus.cluster.link.LinkListener;
import io.altocumulus.cluster.link.ServerLink;
import io.altocumulus.cluster.membership.MembershipListener;
import io.altocumulus.proto.cluster.v1.NodeInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records link and membership events as strings, with the time they arrived. */
final class Recorder implements LinkListener, MembershipListener {
  record Event(long atNanos, String what) {}

  final List<Event> events = new CopyOnWriteArrayList<>();

  private void add(String s) {
    events.add(new Event(System.nanoTime(), s));
  }

  List<String> named(String prefix) {
    return events.stream().map(Event::what).filter(w -> w.startsWith(prefix)).toList();
  }

  long firstAt(String what) {
    return events.stream().filter(e -> e.what().equals(what)).mapToLong(Event::atNanos).findFirst().orElse(-1);
  }

  @Override public void linkUp(ServerLink link) { add("up " + link.nodeId()); }
  @Override public void linkDown(ServerLink link) { add("down " + link.nodeId()); }
  @Override public void appSync(ServerLink link, List<String> apps) { add("apps " + link.nodeId() + " " + apps); }
  @Override public void message(ServerLink link, String handler, byte[] amf) {
    add("msg " + link.nodeId() + " " + handler + " " + new String(amf, StandardCharsets.UTF_8));
  }
  @Override public void nodeUp(NodeInfo n) { add("nodeUp " + n.getId()); }
  @Override public void nodeDown(NodeInfo n) { add("nodeDown " + n.getId()); }
}
