package io.altocumulus.edge.cluster;

import io.altocumulus.cluster.link.LinkListener;
import io.altocumulus.cluster.link.ServerLink;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-link listeners of one edge, called in the order they were added, on the links'
 * own thread (see {@link LinkListener}). The Lua side ({@code cumulus.servers},
 * {@code onServerConnection}, ...) plugs in here; a failing listener does not stop the others.
 * Add listeners before the cluster starts to see every link from its first {@code linkUp}.
 */
public final class CompositeLinkListener implements LinkListener {
  private static final Logger LOG = LoggerFactory.getLogger(CompositeLinkListener.class);
  private final CopyOnWriteArrayList<LinkListener> listeners = new CopyOnWriteArrayList<>();

  public void add(LinkListener listener) {
    listeners.add(Objects.requireNonNull(listener));
  }

  public void remove(LinkListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void linkUp(ServerLink link) {
    for (LinkListener l : listeners) {
      safely(() -> l.linkUp(link));
    }
  }

  @Override
  public void linkDown(ServerLink link) {
    for (LinkListener l : listeners) {
      safely(() -> l.linkDown(link));
    }
  }

  @Override
  public void appSync(ServerLink link, List<String> appPaths) {
    for (LinkListener l : listeners) {
      safely(() -> l.appSync(link, appPaths));
    }
  }

  @Override
  public void message(ServerLink link, String handler, byte[] amfPayload) {
    for (LinkListener l : listeners) {
      safely(() -> l.message(link, handler, amfPayload));
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("server link listener failed", e);
    }
  }
}
