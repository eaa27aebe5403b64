package io.altocumulus.tests.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** The load tool's command line. */
public final class LoadOptions {
  public enum Mode { CONNECT, PUBLISH, PLAY, FANOUT, CHURN }

  public static final String USAGE = "usage: altocumulus-bench --url rtmfp://127.0.0.1:1935/live"
      + " --mode connect|publish|play|fanout|churn [--sessions N] [--rate R] [--duration S] [--bitrate KBPS]"
      + " [--stream NAME] [--json out.json] [--server-pid PID] [--call METHOD] [--object-encoding 0|3]"
      + " [--play-start MS] [--sockets K] [--allow-remote]"
      + "\n  churn (soak): --rate actors/s for --duration S; [--max-live N] [--hold S] [--vanish FRACTION]"
      + " [--mix call=20,publish=15,play=25,group=20,p2p=20] [--peer-sockets K] [--call METHOD (default echo)]";

  public String url = "rtmfp://127.0.0.1:1935/live";
  public Mode mode = Mode.CONNECT;
  public int sessions = 100;
  public double rate = 100;
  public int durationSeconds = 30;
  public int bitrateKbps = 500;
  public String stream = "bench";
  public Path json;
  public long serverPid = -1;
  public String call;
  public int objectEncoding = 3;
  public double playStart = -2000;
  public int sockets = 2;
  public boolean allowRemote;
  /** churn: live actors at most (launches beyond it are skipped and counted). */
  public int maxLive = 500;
  /** churn: mean seconds an actor holds its publication, play, group or session (0.5x to 1.5x). */
  public double holdSeconds = 3;
  /** churn: fraction of actors that vanish (socket closed, no close request) instead of closing. */
  public double vanishFraction = 0.1;
  public String mix = Churn.DEFAULT_MIX;
  /** churn: clients (sockets) kept for P2P actors, each leased by one actor at a time. */
  public int peerSockets = 16;

  /** Parses the arguments; IllegalArgumentException with a message for anything wrong. */
  public static LoadOptions parse(String... args) {
    LoadOptions o = new LoadOptions();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String key = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        key = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      if (key.equals("--allow-remote")) {
        o.allowRemote = true;
        continue;
      }
      if (key.equals("-h") || key.equals("--help")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(key + " needs a value");
        }
        value = args[++i];
      }
      try {
        switch (key) {
          case "--url" -> o.url = value;
          case "--mode" -> o.mode = Mode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
          case "--sessions" -> o.sessions = positive(key, Integer.parseInt(value));
          case "--rate" -> o.rate = positiveD(key, Double.parseDouble(value));
          case "--duration" -> o.durationSeconds = positive(key, Integer.parseInt(value));
          case "--bitrate" -> o.bitrateKbps = positive(key, Integer.parseInt(value));
          case "--stream" -> o.stream = value;
          case "--json" -> o.json = Path.of(value);
          case "--server-pid" -> o.serverPid = positive(key, Integer.parseInt(value));
          case "--call" -> o.call = value;
          case "--object-encoding" -> {
            o.objectEncoding = Integer.parseInt(value);
            if (o.objectEncoding != 0 && o.objectEncoding != 3) {
              throw new IllegalArgumentException("--object-encoding is 0 or 3");
            }
          }
          case "--play-start" -> o.playStart = Double.parseDouble(value);
          case "--sockets" -> o.sockets = positive(key, Integer.parseInt(value));
          case "--max-live" -> o.maxLive = positive(key, Integer.parseInt(value));
          case "--hold" -> o.holdSeconds = positiveD(key, Double.parseDouble(value));
          case "--vanish" -> {
            o.vanishFraction = Double.parseDouble(value);
            if (!(o.vanishFraction >= 0 && o.vanishFraction <= 1)) {
              throw new IllegalArgumentException("--vanish is a fraction in [0, 1]");
            }
          }
          case "--mix" -> {
            Churn.parseMix(value);
            o.mix = value;
          }
          case "--peer-sockets" -> o.peerSockets = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown option " + key + "\n" + USAGE);
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": not a number: " + value);
      }
    }
    URI u;
    try {
      u = URI.create(o.url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("bad --url " + o.url);
    }
    if (!"rtmfp".equals(u.getScheme()) || u.getHost() == null) {
      throw new IllegalArgumentException("--url must be rtmfp://host[:port]/app");
    }
    if (!o.allowRemote && !isLoopback(u.getHost())) {
      throw new IllegalArgumentException("refusing to load " + u.getHost()
          + ": not a loopback address (use --allow-remote for a test host you own)");
    }
    if (o.mode == Mode.CHURN && o.call == null) {
      o.call = "echo";
    }
    double[] mix = Churn.parseMix(o.mix); // cumulative: P2P is the last kind
    boolean withP2p = mix[Churn.Kind.P2P.ordinal()] > mix[Churn.Kind.P2P.ordinal() - 1];
    if (o.peerSockets < 0 || (o.mode == Mode.CHURN && withP2p && o.peerSockets < 2)) {
      throw new IllegalArgumentException("--peer-sockets: P2P needs at least 2 (or p2p=0 in --mix)");
    }
    if (o.bitrateKbps < 16) {
      throw new IllegalArgumentException("--bitrate is at least 16 kbit/s");
    }
    return o;
  }

  static boolean isLoopback(String host) {
    try {
      String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
      for (InetAddress a : InetAddress.getAllByName(h)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static int positive(String key, int v) {
    if (v <= 0) {
      throw new IllegalArgumentException(key + " must be positive");
    }
    return v;
  }

  private static double positiveD(String key, double v) {
    if (!(v > 0)) {
      throw new IllegalArgumentException(key + " must be positive");
    }
    return v;
  }
}
