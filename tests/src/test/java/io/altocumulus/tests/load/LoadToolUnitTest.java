package io.altocumulus.tests.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadToolUnitTest {
  @Test
  void patternReachesTheBitrateAndItsShape() {
    for (int kbps : new int[] {100, 500, 2500}) {
      MediaPattern p = new MediaPattern(kbps);
      List<MediaPattern.Frame> frames = new ArrayList<>();
      p.due(10_000 - 1, frames::add);
      long bytes = frames.stream().mapToLong(f -> f.payload().length).sum();
      assertThat(bytes * 8 / 10.0 / 1000).isCloseTo(kbps, within(kbps * 0.05));
      long video = frames.stream().filter(f -> !f.audio()).count();
      long audio = frames.size() - video;
      assertThat(video).isEqualTo(250); // 25 fps for 10 s
      assertThat(audio).isEqualTo(431); // 44100/1024 per second
      long keys = frames.stream().filter(f -> !f.audio() && f.payload()[0] == 0x17).count();
      assertThat(keys).isEqualTo(5); // every 2 s
      int last = -1;
      for (MediaPattern.Frame f : frames) {
        assertThat(f.timestamp()).isGreaterThanOrEqualTo(last);
        last = f.timestamp();
        assertThat(f.payload()[1]).isEqualTo((byte) 1);
        assertThat(f.payload()[0]).isIn((byte) 0xaf, (byte) 0x17, (byte) 0x27);
      }
    }
  }

  @Test
  void sequenceHeadersAreRecognisedAsConfig() {
    assertThat(MediaPattern.audioConfig()).startsWith((byte) 0xaf, (byte) 0);
    assertThat(MediaPattern.videoConfig()).startsWith((byte) 0x17, (byte) 0, (byte) 0, (byte) 0, (byte) 0, (byte) 1);
    byte[] a = MediaPattern.audioConfig();
    assertThat(MediaPattern.sequenceOf(true, a, 0, a.length)).isEqualTo(-1);
  }

  @Test
  void trackStatsCountsGapsAsLost() {
    MediaPattern p = new MediaPattern(200);
    TrackStats t = new TrackStats();
    byte[] cfg = MediaPattern.videoConfig();
    t.onFrame(false, cfg, 0, cfg.length);
    for (long s : new long[] {3, 4, 7, 8, 8, 12}) {
      byte[] f = p.videoFrame(s);
      t.onFrame(false, f, 0, f.length);
    }
    assertThat(t.configs()).isEqualTo(1);
    assertThat(t.received()).isEqualTo(6);
    assertThat(t.lost()).isEqualTo(2 + 3); // 5,6 and 9,10,11
    assertThat(t.outOfOrder()).isEqualTo(1);
    assertThat(t.expected()).isEqualTo(10);
  }

  @Test
  void percentiles() {
    Percentiles p = new Percentiles();
    assertThat(p.percentile(50)).isNaN();
    for (int i = 1; i <= 100; i++) {
      p.add(i);
    }
    assertThat(p.percentile(50)).isEqualTo(50);
    assertThat(p.percentile(99)).isEqualTo(99);
    assertThat(p.max()).isEqualTo(100);
    assertThat(p.mean()).isEqualTo(50.5);
  }

  @Test
  void json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("a", 1);
    m.put("b", 2.5);
    m.put("c", Double.NaN);
    m.put("d", List.of("x\"y", true));
    assertThat(Json.write(m)).isEqualTo("{\n  \"a\": 1,\n  \"b\": 2.5,\n  \"c\": null,\n  \"d\": [\"x\\\"y\", true]\n}\n");
  }

  @Test
  void optionsParseAndRefuseRemoteHosts() {
    LoadOptions o = LoadOptions.parse("--url", "rtmfp://127.0.0.1:1999/live", "--mode", "fanout", "--sessions", "10",
        "--rate=20", "--duration", "5", "--bitrate", "800", "--stream", "s", "--json", "/tmp/x.json");
    assertThat(o.mode).isEqualTo(LoadOptions.Mode.FANOUT);
    assertThat(o.sessions).isEqualTo(10);
    assertThat(o.rate).isEqualTo(20);
    assertThat(o.bitrateKbps).isEqualTo(800);
    assertThat(LoadOptions.parse("--url", "rtmfp://localhost/live").url).isEqualTo("rtmfp://localhost/live");
    assertThat(LoadOptions.parse("--url", "rtmfp://[::1]:1935/live").url).contains("::1");
    assertThatThrownBy(() -> LoadOptions.parse("--url", "rtmfp://10.1.2.3/live")).hasMessageContaining("loopback");
    assertThat(LoadOptions.parse("--url", "rtmfp://10.1.2.3/live", "--allow-remote").allowRemote).isTrue();
    assertThatThrownBy(() -> LoadOptions.parse("--sessions", "0")).hasMessageContaining("positive");
    assertThatThrownBy(() -> LoadOptions.parse("--mode", "nope")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> LoadOptions.parse("--bogus", "1")).hasMessageContaining("unknown");
  }

  @Test
  void serverCpuReadsOurOwnProcess() {
    long t = LoadTool.ServerCpu.ticks(ProcessHandle.current().pid());
    assertThat(t).isGreaterThan(0);
    assertThat(LoadTool.ServerCpu.ticks(Integer.MAX_VALUE)).isEqualTo(-1);
  }
}
