package io.altocumulus.edge.lua;

import io.altocumulus.edge.stream.Player;
import io.altocumulus.edge.stream.Publication;
import io.altocumulus.edge.stream.ServerPublication;
import java.util.List;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaFunction;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;

/**
 * A publication (CUMULUS-FEATURES §5.10): {@code name}, {@code publisherId}, {@code listeners}
 * (§5.8), {@code audioQOS}/{@code videoQOS} (§5.11), {@code close([code[, description]])}, and
 * for a {@code cumulus:publish} publication {@code pushAudioPacket}, {@code pushVideoPacket},
 * {@code pushDataPacket} and {@code flush}. Also {@code published} and {@code playerCount}.
 */
public class LuaPublication extends LuaBinding {
  protected final Publication publication;
  private LuaTable listeners;
  private LuaTable audioQos;
  private LuaTable videoQos;

  protected LuaPublication(LuaHost host, Publication publication) {
    super(host);
    this.publication = publication;
  }

  /**
   * The publication's persistent table. A publication that already left the registry gets a
   * table that is not kept (nothing would ever unlink it).
   */
  public static LuaTable of(LuaHost host, Publication publication) {
    if (publication.isReleased()) {
      LuaTable t = host.persistentIfAny(publication);
      return t != null ? t : new LuaPublication(host, publication).table();
    }
    return host.persistent(publication, () -> new LuaPublication(host, publication).table());
  }

  public Publication publication() {
    return publication;
  }

  // ---- methods ----

  static final LuaFunction CLOSE = method(LuaPublication.class, "close", (self, a) -> {
    String code = a.isnil(1) ? null : a.checkjstring(1);
    String description = a.isnil(2) ? null : a.checkjstring(2);
    self.publication.close(code, description);
    return LuaValue.NONE;
  });

  static final LuaFunction PUSH_AUDIO = method(LuaPublication.class, "pushAudioPacket",
      (self, a) -> self.pushMedia(true, a));
  static final LuaFunction PUSH_VIDEO = method(LuaPublication.class, "pushVideoPacket",
      (self, a) -> self.pushMedia(false, a));

  static final LuaFunction PUSH_DATA = method(LuaPublication.class, "pushDataPacket", (self, a) -> {
    ServerPublication sp = self.server("pushDataPacket");
    String name = a.checkjstring(1);
    byte[] data = a.isnil(2) ? new byte[0] : LuaCumulus.bytes(a.checkstring(2));
    try {
      sp.pushDataPacket(name, data, a.optint(3, 0));
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new LuaError("pushDataPacket: " + e.getMessage());
    }
    return LuaValue.NONE;
  });

  static final LuaFunction FLUSH = method(LuaPublication.class, "flush", (self, a) -> {
    ServerPublication sp = self.publication.serverPublication();
    if (sp != null) {
      sp.flush();
    }
    return LuaValue.NONE;
  });

  /** pushAudioPacket / pushVideoPacket(time, data[, offset[, lostFragments]]). */
  private Varargs pushMedia(boolean audio, Varargs a) {
    String what = audio ? "pushAudioPacket" : "pushVideoPacket";
    ServerPublication sp = server(what);
    int time = (int) (long) a.checkdouble(1);
    LuaString data = a.checkstring(2);
    byte[] bytes = LuaCumulus.bytes(data);
    int offset = a.optint(3, 0);
    int lost = a.optint(4, 0);
    try {
      if (audio) {
        sp.pushAudioPacket(time, bytes, offset, lost);
      } else {
        sp.pushVideoPacket(time, bytes, offset, lost);
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new LuaError(what + ": " + e.getMessage());
    }
    return LuaValue.NONE;
  }

  /** Pushing is for publications the server publishes: a client's media comes from its client. */
  private ServerPublication server(String what) {
    ServerPublication sp = publication.serverPublication();
    if (sp == null) {
      throw new LuaError(what + ": publication '" + publication.name()
          + "' is not published by the server (cumulus:publish)");
    }
    return sp;
  }

  // ---- members ----

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "name" -> LuaValue.valueOf(publication.name());
      case "publisherId" -> LuaValue.valueOf(publication.publisherId());
      case "published" -> LuaValue.valueOf(publication.isPublished());
      case "playerCount" -> LuaValue.valueOf(publication.playerCount());
      case "listeners" -> listeners();
      case "audioQOS" -> {
        if (audioQos == null) {
          audioQos = new LuaQos(host, publication.audioQos()).table();
        }
        yield audioQos;
      }
      case "videoQOS" -> {
        if (videoQos == null) {
          videoQos = new LuaQos(host, publication.videoQos()).table();
        }
        yield videoQos;
      }
      case "close" -> CLOSE;
      case "pushAudioPacket" -> PUSH_AUDIO;
      case "pushVideoPacket" -> PUSH_VIDEO;
      case "pushDataPacket" -> PUSH_DATA;
      case "flush" -> FLUSH;
      default -> null;
    };
  }

  private LuaTable listeners() {
    if (listeners == null) {
      listeners = new Listeners(host, publication).table();
    }
    return listeners;
  }

  /**
   * A publication's listeners (CUMULUS-FEATURES §5.8): {@code count}; {@code ipairs()} and
   * {@code pairs()} keyed by listener id (the player's NetStream id); {@code listeners(id)}.
   */
  static final class Listeners extends LuaBinding {
    private final Publication publication;

    Listeners(LuaHost host, Publication publication) {
      super(host);
      this.publication = publication;
    }

    static final LuaFunction PAIRS = method(Listeners.class, "pairs", (l, a) -> {
      LuaTable t = new LuaTable();
      for (Player p : l.publication.listeners()) {
        t.rawset(p.id(), LuaListener.of(l.host, p));
      }
      return LuaValue.varargsOf(l.host.library.rawget("next"), t, LuaValue.NIL);
    });

    @Override
    protected LuaValue index(String key) {
      return switch (key) {
        case "count" -> LuaValue.valueOf(publication.listeners().size());
        case "pairs", "ipairs" -> PAIRS;
        default -> null;
      };
    }

    @Override
    protected Varargs call(Varargs args) {
      if (!args.arg1().isnumber()) {
        return LuaValue.NIL;
      }
      int id = args.arg1().toint();
      List<Player> players = publication.listeners();
      for (Player p : players) {
        if (p.id() == id) {
          return LuaListener.of(host, p);
        }
      }
      return LuaValue.NIL;
    }
  }
}
