package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 item 4b: loss, reordering and duplication injected on loopback in both directions; the
 * reliable NetConnection flow still delivers every message complete and in order, both ways
 * (calls carry varied sizes up, results carry them back; many span several fragments).
 */
class FaultTransportIT {
  @TempDir
  Path dir;

  @Test
  void reliableFlowsStayCompleteAndOrderedThroughLossReorderAndDuplication() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), """
        function onConnection(c)
          function c:echo(i, s)
            if i ~= (last or -1) + 1 then outOfOrder = (outOfOrder or 0) + 1 end
            last = i
            return {i = i, s = s}
          end
          function c:outOfOrder() return outOfOrder or 0 end
        end
        """);
    try (EdgeNode node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=1\n", Map.of("www", www.toString())).withPort(0));
        LossyProxy proxy = new LossyProxy(node.localAddress(), 0.10, 0.05, 0.10);
        RtmfpClient client = RtmfpClient.open()) {
      ClientNetConnection c = client.connect("rtmfp://127.0.0.1:" + proxy.address().getPort() + "/")
          .get(20, TimeUnit.SECONDS);
      Random random = new Random(8);
      int n = 300;
      List<String> sent = new ArrayList<>();
      List<Integer> order = Collections.synchronizedList(new ArrayList<>());
      List<CompletableFuture<Object>> results = new ArrayList<>();
      long bytes = 0;
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        int size = random.nextInt(10) == 0 ? 1 + random.nextInt(20_000) : 1 + random.nextInt(1500);
        StringBuilder sb = new StringBuilder(size);
        for (int k = 0; k < size; k++) {
          sb.append((char) ('a' + random.nextInt(26)));
        }
        String s = sb.toString();
        sent.add(s);
        bytes += size;
        int index = i;
        CompletableFuture<Object> f = c.call("echo", i, s);
        f.thenRun(() -> order.add(index));
        results.add(f);
        if (i % 20 == 19) {
          results.get(i - 10).get(30, TimeUnit.SECONDS); // keep a window in flight, not all at once
        }
      }
      CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
      long millis = (System.nanoTime() - t0) / 1_000_000;
      for (int i = 0; i < n; i++) {
        var m = (io.altocumulus.rtmfp.amf.AmfObject) results.get(i).get();
        assertThat(((Number) m.get("i")).intValue()).isEqualTo(i);
        assertThat(m.get("s")).isEqualTo(sent.get(i));
      }
      // Up: the application saw every call once, in the order sent.
      assertThat(((Number) c.call("outOfOrder").get(30, TimeUnit.SECONDS)).intValue()).isZero();
      // Down: the reliable flow delivers in order and the node answers in call order (an answer
      // ready early waits behind the ones still coming back from the Lua thread).
      int late = 0;
      for (int i = 0; i < n; i++) {
        late += order.get(i) != i ? 1 : 0;
      }
      assertThat(late).as("results completed out of call order").isZero();
      assertThat(proxy.dropped.get()).isPositive();
      System.out.printf("FaultTransportIT: %d messages, %d bytes each way, %d ms, %d datagrams dropped, %d forwarded%n",
          n, bytes, millis, proxy.dropped.get(), proxy.forwarded.get());
    }
  }
}
