package io.altocumulus.edge.lua;

import io.altocumulus.edge.stream.Player;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A listener, one player of a publication (CUMULUS-FEATURES §5.8, RTMFP-WIRE §8.8): {@code id}
 * (its NetStream id), {@code publication}, {@code client}, {@code audioQOS}/{@code videoQOS}
 * (outgoing, §5.11), {@code receiveAudio}/{@code receiveVideo}, {@code latency}, and the writable
 * {@code audioSampleAccess}/{@code videoSampleAccess}, which send the player
 * {@code |RtmpSampleAccess}.
 */
public class LuaListener extends LuaBinding {
  protected final Player player;
  private LuaTable audioQos;
  private LuaTable videoQos;

  protected LuaListener(LuaHost host, Player player) {
    super(host);
    this.player = player;
  }

  /** The listener's persistent table; a player that already ended gets one that is not kept. */
  public static LuaTable of(LuaHost host, Player player) {
    if (player.isClosed()) {
      LuaTable t = host.persistentIfAny(player);
      return t != null ? t : new LuaListener(host, player).table();
    }
    return host.persistent(player, () -> new LuaListener(host, player).table());
  }

  public Player player() {
    return player;
  }

  @Override
  protected LuaValue index(String key) {
    return switch (key) {
      case "id" -> LuaValue.valueOf(player.id());
      case "publication" -> LuaPublication.of(host, player.publication());
      case "client" -> LuaClient.of(host, player.client());
      case "receiveAudio" -> LuaValue.valueOf(player.receiveAudio());
      case "receiveVideo" -> LuaValue.valueOf(player.receiveVideo());
      case "audioSampleAccess" -> LuaValue.valueOf(player.audioSampleAccess());
      case "videoSampleAccess" -> LuaValue.valueOf(player.videoSampleAccess());
      case "latency" -> LuaValue.valueOf((double) player.latencyMillis());
      case "audioQOS" -> {
        if (audioQos == null) {
          audioQos = new LuaQos(host, player.audioQos()).table();
        }
        yield audioQos;
      }
      case "videoQOS" -> {
        if (videoQos == null) {
          videoQos = new LuaQos(host, player.videoQos()).table();
        }
        yield videoQos;
      }
      default -> null;
    };
  }

  @Override
  protected boolean set(String key, LuaValue value) {
    switch (key) {
      case "audioSampleAccess" -> player.setSampleAccess(value.toboolean(), player.videoSampleAccess());
      case "videoSampleAccess" -> player.setSampleAccess(player.audioSampleAccess(), value.toboolean());
      default -> {
        return false;
      }
    }
    return true;
  }
}
