package io.altocumulus.edge.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.rtmfp.handshake.HelloDecision;
import io.altocumulus.rtmfp.session.SessionHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {
  @Test
  void buildInfoJvmAndOneLineRegistrationAreInTheExposition() {
    try (NodeMetrics m = new NodeMetrics("1.2.3")) {
      m.counter("rtmfp_test_events_total", "Test events.").inc(3);
      m.gaugeOf("rtmfp_test_level", "A level read at scrape time.", () -> 7);
      m.counterOf("rtmfp_test_read_total", "A count read at scrape time.", () -> 42);
      String text = m.scrape();
      assertThat(text).contains("rtmfp_build_info{java_version=\"" + System.getProperty("java.version") + "\",version=\"1.2.3\"} 1");
      assertThat(text).contains("rtmfp_test_events_total 3.0", "rtmfp_test_level 7.0", "rtmfp_test_read_total 42.0");
      assertThat(text).contains("jvm_memory_used_bytes{area=\"heap\"}");
    }
  }

  @Test
  void labelledScrapeTimeCountersAndGaugesHaveOneSeriesPerFixedValue() {
    try (NodeMetrics m = new NodeMetrics("t")) {
      java.util.concurrent.atomic.AtomicLong forwarded = new java.util.concurrent.atomic.AtomicLong();
      java.util.Map<String, java.util.function.LongSupplier> intro = new java.util.LinkedHashMap<>();
      intro.put("forwarded", forwarded::get);
      intro.put("unanswered", () -> 5);
      m.counterOf("rtmfp_test_intro_total", "Introductions.", "result", intro);
      m.gaugeOf("rtmfp_test_apps", "Apps.", "state", java.util.Map.of("running", () -> 2, "failed", () -> 1));
      forwarded.set(3);
      String text = m.scrape();
      assertThat(text).contains("rtmfp_test_intro_total{result=\"forwarded\"} 3.0",
          "rtmfp_test_intro_total{result=\"unanswered\"} 5.0", "rtmfp_test_apps{state=\"running\"} 2.0",
          "rtmfp_test_apps{state=\"failed\"} 1.0");
      forwarded.set(4);
      assertThat(m.scrape()).contains("rtmfp_test_intro_total{result=\"forwarded\"} 4.0");
    }
  }

  @Test
  void handshakeEventsAndSessionEndsAreCountedByBoundedLabels() {
    try (NodeMetrics m = new NodeMetrics("t")) {
      EdgeMetrics e = new EdgeMetrics(m);
      e.helloAnswered(HelloDecision.Kind.ACCEPT);
      e.helloAnswered(HelloDecision.Kind.ACCEPT);
      e.helloAnswered(HelloDecision.Kind.REDIRECT);
      e.redirected(RedirectReason.CONFIGURED);
      AtomicReference<String> delegated = new AtomicReference<>();
      SessionHandler h = e.sessionOpened(new SessionHandler() {
        @Override
        public io.altocumulus.rtmfp.session.FlowHandler onFlowOpened(io.altocumulus.rtmfp.session.Session s,
            io.altocumulus.rtmfp.flow.RecvFlow f) {
          return null;
        }

        @Override
        public void onClosed(io.altocumulus.rtmfp.session.Session s, String reason) {
          delegated.set(reason);
        }
      });
      h.onClosed(null, "idle timeout");
      assertThat(delegated.get()).isEqualTo("idle timeout");
      String text = m.scrape();
      assertThat(text).contains("rtmfp_handshakes_total{result=\"accepted\"} 2.0",
          "rtmfp_handshakes_total{result=\"redirected\"} 1.0", "rtmfp_handshakes_total{result=\"opened\"} 1.0",
          "rtmfp_redirects_total{reason=\"configured\"} 1.0", "rtmfp_sessions_opened_total 1.0",
          "rtmfp_sessions_closed_total{reason=\"idle_timeout\"} 1.0",
          "rtmfp_sessions_closed_total{reason=\"peer\"} 0.0");
    }
  }

  @Test
  void cryptoTasksAreTimedIntoTheHandshakeHistogram() {
    try (NodeMetrics m = new NodeMetrics("t")) {
      EdgeMetrics e = new EdgeMetrics(m);
      Executor timed = e.timeHandshakes(Runnable::run);
      boolean[] ran = new boolean[1];
      timed.execute(() -> ran[0] = true);
      assertThat(ran[0]).isTrue();
      assertThat(m.scrape()).contains("rtmfp_handshake_duration_seconds_count 1");
    }
  }

  @Test
  void closeReasonsFoldTheCoreTexts() {
    assertThat(CloseReason.of("closed by peer")).isEqualTo(CloseReason.PEER);
    assertThat(CloseReason.of("NetConnection closed by the client")).isEqualTo(CloseReason.PEER);
    assertThat(CloseReason.of("retransmission timeout")).isEqualTo(CloseReason.RETRANSMISSION_TIMEOUT);
    assertThat(CloseReason.of("server shutdown")).isEqualTo(CloseReason.SHUTDOWN);
    assertThat(CloseReason.of("closed by the server application")).isEqualTo(CloseReason.APPLICATION);
    assertThat(CloseReason.of("something new")).isEqualTo(CloseReason.OTHER);
    assertThat(CloseReason.of(null)).isEqualTo(CloseReason.OTHER);
  }

  @Test
  void servesMetricsOverHttp() throws Exception {
    try (NodeMetrics m = new NodeMetrics("http")) {
      m.serve("127.0.0.1", 0);
      assertThat(m.httpPort()).isPositive();
      HttpResponse<String> r = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.httpPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("rtmfp_build_info{");
      m.close();
      assertThat(m.httpPort()).isEqualTo(-1);
    }
  }
}
