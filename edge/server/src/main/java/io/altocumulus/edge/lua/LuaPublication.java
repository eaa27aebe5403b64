package io.altocumulus.edge.lua;

import io.altocumulus.edge.stream.Publication;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A publication (CUMULUS-FEATURES §5.10): name, and what the Java object offers so far. The
 * streams binding completes it (listeners, QoS, push*, close).
 */
public class LuaPublication extends LuaBinding {
  protected final Publication publication;

  protected LuaPublication(LuaHost host, Publication publication) {
    super(host);
    this.publication = publication;
  }

  /** The publication's persistent table. */
  public static LuaTable of(LuaHost host, Publication publication) {
    return host.persistent(publication, () -> new LuaPublication(host, publication).table());
  }

  public Publication publication() {
    return publication;
  }

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "name" -> LuaValue.valueOf(publication.name());
      case "published" -> LuaValue.valueOf(publication.isPublished());
      case "playerCount" -> LuaValue.valueOf(publication.playerCount());
      default -> null;
    };
  }
}
