package io.altocumulus.edge.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApplicationsTest {
  @TempDir
  Path dir;

  @Test
  void pathsNameFoldersUnderWww() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www.resolve("live/room"));
    Files.createDirectories(dir.resolve("secret"));
    Applications apps = new Applications(www);
    assertThat(apps.find("")).isNotNull(); // root app: the folder itself
    assertThat(apps.find("/live")).isNotNull();
    assertThat(apps.find("live/room/")).isNotNull();
    assertThat(apps.find("missing")).isNull();
    assertThat(apps.find("../secret")).isNull();
    assertThat(apps.find("live/../../secret")).isNull();
    assertThat(Applications.normalize("/a//b/./c/")).isEqualTo("a/b/c");
    assertThat(Applications.normalize("a/b?x=1")).isEqualTo("a/b");
    assertThat(Applications.normalize("..")).isNull();
  }

  @Test
  void registeredApplicationsComeFirst() {
    ServerApplication app = new ServerApplication() {};
    Applications apps = new Applications(dir.resolve("nowhere")).register("/chat/", app);
    assertThat(apps.find("chat")).isSameAs(app);
    assertThat(apps.find("")).isNull();
  }

  @Test
  void urlPathAndQuery() {
    assertThat(NetConnection.pathOf("rtmfp://host:1935/live/room?x=1", "ignored")).isEqualTo("/live/room");
    assertThat(NetConnection.pathOf(null, "app")).isEqualTo("app");
    assertThat(NetConnection.pathOf("rtmfp://host", null)).isEqualTo("");
    assertThat(NetConnection.queryOf("rtmfp://h/a?name=x%20y&flag&bad=%zz"))
        .isEqualTo(Map.of("name", "x y", "flag", "", "bad", "%zz"));
  }
}
