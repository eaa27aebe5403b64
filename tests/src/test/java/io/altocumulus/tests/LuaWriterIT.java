package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer object (CUMULUS-FEATURES §5.4) from a real main.lua to the project's client over loopback. */
class LuaWriterIT {
  static final String MAIN = """
      function onConnection(client)
        function client:status()
          self.writer:writeStatusResponse('Custom.Code', 'a description', 'k', 'v', 'n', 3)
          self.writer:writeStatusResponse('Empty', '')
          return 'ok'
        end
        function client:open()
          local w = self.writer:newFlowWriter()
          fw = w
          w.manages = 0
          function w:onManage()
            self.manages = self.manages + 1
            self:writeAMFMessage('tick', self.manages)
          end
          w:writeAMFMessage('onNew', 'first')
          return 'opened'
        end
        function client:closeFlow() fw:close() return fw.manages end
        function client:writeClosed() fw:writeAMFMessage('late') return 'written' end
        function client:unreliable()
          self.writer.reliable = false
          self.writer:writeAMFMessage('unrel', 1)
          local r = self.writer.reliable
          self.writer.reliable = true
          return {during = r, after = self.writer.reliable}
        end
        function client:result() self.writer:writeAMFResult('r1', 2) end
        function client:ordered()
          self.writer:writeAMFMessage('first', 1)
          self.writer:writeAMFMessage('second', 2)
          return 'third'
        end
      end
      """;

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  ClientNetConnection nc;
  final List<TcCommand> commands = new CopyOnWriteArrayList<>();
  /** Commands per server flow id, as received. */
  final Map<Long, List<String>> byFlow = new ConcurrentHashMap<>();
  final Set<Long> finished = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), MAIN);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n", Map.of("www", www.toString())).withPort(0));
    client = RtmfpClient.open();
    nc = client.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/", new RtmfpClient.ConnectOptions())
        .get(10, TimeUnit.SECONDS);
    nc.onCommand(commands::add);
    nc.onFlowMessage((flow, msg) -> {
      int type = msg[0] & 0xFF;
      if (type == TcMessage.AMF0_COMMAND || type == TcMessage.AMF3_COMMAND) {
        TcCommand c = TcCommand.parse(msg, 0, msg.length, AmfContext.DEFAULT);
        byFlow.computeIfAbsent(flow, f -> new CopyOnWriteArrayList<>()).add(c.name() + " " + c.args());
      }
    });
    nc.onFlowFinished(finished::add);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (node != null) {
      node.close();
    }
  }

  Object call(String name, Object... args) throws Exception {
    return nc.call(name, args).get(10, TimeUnit.SECONDS);
  }

  @Test
  void statusResponseIsPrefixedAndEmptyDescriptionOmitted() throws Exception {
    assertThat(call("status")).isEqualTo("ok");
    await().atMost(Duration.ofSeconds(5)).until(() -> commands.stream().filter(c -> c.name().equals("onStatus")).count() == 2);
    List<TcCommand> status = commands.stream().filter(c -> c.name().equals("onStatus")).toList();
    AmfObject first = (AmfObject) status.get(0).args().get(0);
    assertThat(first.get("level")).isEqualTo("status");
    assertThat(first.get("code")).isEqualTo("NetConnection.Custom.Code");
    assertThat(first.get("description")).isEqualTo("a description");
    assertThat(first.get("k")).isEqualTo("v");
    assertThat(((Number) first.get("n")).intValue()).isEqualTo(3);
    AmfObject second = (AmfObject) status.get(1).args().get(0);
    assertThat(second.get("code")).isEqualTo("NetConnection.Empty");
    assertThat(second.has("description")).isFalse();
  }

  @Test
  void writesDuringACallLeaveBeforeItsResult() throws Exception {
    // The event may run inline on the session's loop (LuaExecutor): the writes must still go first.
    for (int i = 0; i < 20; i++) {
      assertThat(call("ordered")).isEqualTo("third");
    }
    List<String> response = byFlow.values().stream().filter(l -> l.stream().anyMatch(s -> s.startsWith("first")))
        .findFirst().orElseThrow();
    List<String> seq = response.stream().filter(s -> s.startsWith("first") || s.startsWith("second")
        || s.startsWith("_result") && s.contains("third")).toList();
    assertThat(seq).hasSize(60);
    for (int i = 0; i < 60; i += 3) {
      assertThat(seq.get(i)).startsWith("first");
      assertThat(seq.get(i + 1)).startsWith("second");
      assertThat(seq.get(i + 2)).startsWith("_result");
    }
  }

  @Test
  void newFlowWriterOpensAFlowManagesAndClosesWithFin() throws Exception {
    assertThat(call("open")).isEqualTo("opened");
    await().atMost(Duration.ofSeconds(5)).until(() -> byFlow.values().stream().anyMatch(l -> l.contains("onNew [first]")));
    long flow = byFlow.entrySet().stream().filter(e -> e.getValue().contains("onNew [first]")).findFirst().orElseThrow().getKey();
    // Answers to calls come on the NetConnection's own response flow, not on the new one.
    long response = byFlow.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(s -> s.startsWith("_result")))
        .findFirst().orElseThrow().getKey();
    assertThat(flow).isNotEqualTo(response);
    // writer:onManage every 2 s, written on the new flow.
    await().atMost(Duration.ofSeconds(8)).until(() -> byFlow.get(flow).contains("tick [2]"));
    assertThat(byFlow.get(flow)).startsWith("onNew [first]", "tick [1]", "tick [2]");
    assertThat(finished).doesNotContain(flow);
    int manages = ((Number) call("closeFlow")).intValue();
    assertThat(manages).isGreaterThanOrEqualTo(2);
    await().atMost(Duration.ofSeconds(5)).until(() -> finished.contains(flow));
    assertThat(finished).doesNotContain(response);
    // A closed writer refuses to write; its onManage stops.
    assertThatThrownBy(() -> call("writeClosed")).cause().hasMessageContaining("closed");
    Thread.sleep(2500);
    assertThat(byFlow.get(flow)).hasSize(1 + manages);
  }

  @Test
  void unreliableMessagesStillArriveAndResultAnswersTheCall() throws Exception {
    AmfObject r = (AmfObject) call("unreliable");
    assertThat(r.get("during")).isEqualTo(false);
    assertThat(r.get("after")).isEqualTo(true);
    await().atMost(Duration.ofSeconds(5)).until(() -> commands.stream().anyMatch(c -> c.name().equals("unrel")));
    // writeAMFResult inside an RPC answers that RPC (its first argument is the value).
    assertThat(call("result")).isEqualTo("r1");
  }
}
