package io.altocumulus.edge.group;

import io.altocumulus.edge.config.ConfigException;
import io.altocumulus.edge.config.NodeConfig;

/**
 * Memory bounds of the NetGroup layer on one node (issue 5, "bounded memory"): groups with a member
 * here, members of one group known here (virtual ones included), groups one session may join.
 * Each refusal is counted ({@link NetGroups#refusedGroups()} and siblings, and
 * {@code DropCause.LIMIT_EXCEEDED}).
 *
 * @param maxGroups config key {@code groups.max}
 * @param maxMembers config key {@code groups.maxMembers}
 * @param perSession config key {@code groups.perSession}
 */
public record GroupLimits(int maxGroups, int maxMembers, int perSession) {
  public static final GroupLimits DEFAULT = new GroupLimits(100_000, 10_000, 16);

  public GroupLimits {
    if (maxGroups < 1 || maxMembers < 1 || perSession < 1) {
      throw new IllegalArgumentException("group limits must be positive: " + maxGroups + "/" + maxMembers + "/" + perSession);
    }
  }

  /** From the raw keys {@code groups.max} (1..10^7), {@code groups.maxMembers} (1..10^6), {@code groups.perSession} (1..1024). */
  public static GroupLimits from(NodeConfig config) {
    return new GroupLimits(
        intKey(config, "groups.max", DEFAULT.maxGroups, 1, 10_000_000),
        intKey(config, "groups.maxMembers", DEFAULT.maxMembers, 1, 1_000_000),
        intKey(config, "groups.perSession", DEFAULT.perSession, 1, 1024));
  }

  private static int intKey(NodeConfig config, String key, int def, int min, int max) {
    return (int) config.longKey(key, def, min, max, key.equals("groups.perSession") ? "groups per session" : "entries");
  }

}
