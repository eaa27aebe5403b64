package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real main.lua on a real node opens TCP and UDP sockets (CUMULUS-FEATURES §5.13-5.15) and
 * talks to Java test peers; a real RTMFP client session drives it through RPCs.
 */
class LuaSocketsIT {
  static final String ROOT = """
      replies = {}
      function onStart(path)
        srv = cumulus:createTCPServer()
        assert(srv:start(0))
        function srv:clientHandler(client)
          -- upper-cases whole lines; a partial line stays for the next reception
          function client:onReception(data)
            local nl = data:find("\\n", 1, true)
            if not nl then return #data end
            self:send(data:sub(1, nl):upper())
            return #data - nl
          end
        end
        udp = cumulus:createUDPSocket()
        assert(udp:bind("127.0.0.1:0") == nil)
        function udp:onReception(data, address) self:send("udp:" .. data, address) end
      end
      function onConnection(client)
        function client:tcpPort() return srv.port end
        function client:udpAddress() return udp.address end
        function client:relay(port, text)
          local s = cumulus:createTCPClient()
          function s:onReception(data)
            replies[#replies + 1] = data
            self:disconnect()
          end
          return s:connect("127.0.0.1", port) or s:send(text) or "sent"
        end
        function client:replies() return table.concat(replies, "|") end
      end
      """;

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  ClientNetConnection nc;

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), ROOT);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n", Map.of("www", www.toString())).withPort(0),
        new EdgeNode.Options().endpointConfig(c -> c.closedLingerNanos = 500_000_000L));
    client = RtmfpClient.open();
    nc = client.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/").get(10, TimeUnit.SECONDS);
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

  private Object call(String method, Object... args) throws Exception {
    return nc.call(method, args).get(5, TimeUnit.SECONDS);
  }

  @Test
  void luaTcpServerAnswersAJavaClient() throws Exception {
    int port = ((Number) call("tcpPort")).intValue();
    assertThat(port).isPositive();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setTcpNoDelay(true);
      s.getOutputStream().write("hel".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      Thread.sleep(50); // two receptions: the first one keeps "hel" unconsumed
      s.getOutputStream().write("lo\nrest".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(5000);
      byte[] line = s.getInputStream().readNBytes(6);
      assertThat(new String(line, StandardCharsets.US_ASCII)).isEqualTo("HELLO\n");
    }
  }

  @Test
  void luaUdpSocketAnswersAJavaPeer() throws Exception {
    String address = (String) call("udpAddress");
    int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      peer.setSoTimeout(5000);
      byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
      peer.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
      DatagramPacket p = new DatagramPacket(new byte[64], 64);
      peer.receive(p);
      assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII)).isEqualTo("udp:ping");
    }
  }

  @Test
  void luaTcpClientReachesAJavaServer() throws Exception {
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread t = new Thread(() -> {
        try (Socket s = peer.accept()) {
          InputStream in = s.getInputStream();
          StringBuilder line = new StringBuilder();
          for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            line.append((char) c);
          }
          s.getOutputStream().write(("ack:" + line).getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          in.read(); // until Lua disconnects
        } catch (Exception ignored) {
          // the test fails on the missing reply
        }
      }, "tcp-peer");
      t.setDaemon(true);
      t.start();
      assertThat(call("relay", (double) peer.getLocalPort(), "hi\n")).isEqualTo("sent");
      await().atMost(Duration.ofSeconds(10)).until(() -> "ack:hi".equals(call("replies")));
      t.join(5000);
      assertThat(t.isAlive()).isFalse(); // Lua disconnected
    }
  }
}
