package io.altocumulus.edge.stream;

import java.util.ArrayList;
import java.util.concurrent.Executor;

/** The players of one publication on one event loop; everything here runs on that loop. */
final class LoopGroup {
  final Publication publication;
  final int loopIndex;
  final Executor executor;
  private final ArrayList<Player> players = new ArrayList<>();
  volatile int size;

  LoopGroup(Publication publication, int loopIndex, Executor executor) {
    this.publication = publication;
    this.loopIndex = loopIndex;
    this.executor = executor;
  }

  void add(Player p) {
    players.add(p);
    size = players.size();
  }

  void remove(Player p) {
    players.remove(p);
    size = players.size();
    if (players.isEmpty()) {
      publication.groupEmptied(this);
    }
  }

  void onMedia(MediaMessage m) {
    for (int i = 0; i < players.size(); i++) {
      players.get(i).onMedia(m);
    }
  }

  void onData(DataMessage d) {
    for (int i = 0; i < players.size(); i++) {
      players.get(i).onData(d);
    }
  }

  void onPublish() {
    for (int i = 0; i < players.size(); i++) {
      players.get(i).onPublishNotify();
    }
  }

  void onUnpublish() {
    for (int i = 0; i < players.size(); i++) {
      players.get(i).onUnpublishNotify();
    }
  }
}
