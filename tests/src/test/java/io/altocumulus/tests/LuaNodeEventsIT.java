package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import jakarta.mail.internet.MimeMessage;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lua events that are not tied to a client's session, on a real node over loopback (issue 4):
 * {@code onHandshake} redirecting a client to another node, {@code onRendezVousUnknown} redirecting
 * a P2P initiator, and {@code cumulus:sendMail} reaching an in-process SMTP server.
 */
class LuaNodeEventsIT {
  @RegisterExtension
  static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  @TempDir
  Path dir;
  EdgeNode node;
  EdgeNode other;
  RtmfpClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    for (EdgeNode n : new EdgeNode[] {node, other}) {
      if (n != null) {
        n.close();
      }
    }
  }

  EdgeNode start(Path www, String extraIni) throws Exception {
    return EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n" + extraIni,
        Map.of("www", www.toString())).withPort(0));
  }

  static void write(Path www, String app, String text) throws Exception {
    Path d = app.isEmpty() ? www : www.resolve(app);
    Files.createDirectories(d);
    Files.writeString(d.resolve("main.lua"), text);
  }

  @Test
  void onHandshakeRedirectsTheClientToAnotherNode() throws Exception {
    Path otherWww = dir.resolve("other");
    Files.createDirectories(otherWww.resolve("lb"));
    other = start(otherWww, "");
    Path www = dir.resolve("www");
    // Cumulus's load-balancing idiom: send the client elsewhere on its first attempt.
    write(www, "lb", """
        function onHandshake(address, path, properties, attempts)
          seen = {address = address, path = path, room = properties.room, attempts = attempts}
          if properties.room == 'blue' then return '127.0.0.1:%d' end
        end
        function onConnection(client) end
        """.formatted(other.localAddress().getPort()));
    node = start(www, "");
    client = RtmfpClient.open();
    String url = "rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/lb";

    ClientNetConnection redirected = client.connect(url + "?room=blue").get(10, TimeUnit.SECONDS);
    assertThat(redirected.serverAddress()).isEqualTo(other.localAddress());
    // sessionCount() is each loop's figure as of its last tick (10 ms).
    await().atMost(Duration.ofSeconds(2)).until(() -> other.sessionCount() == 1);

    // Returning nothing lets the client in here.
    ClientNetConnection stays = client.connect(url + "?room=red").get(10, TimeUnit.SECONDS);
    assertThat(stays.serverAddress()).isEqualTo(node.localAddress());
  }

  @Test
  void onRendezVousUnknownRedirectsTheInitiatorWithTheRawPeerId() throws Exception {
    Path www = dir.resolve("www");
    try (DatagramSocket elsewhere = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      elsewhere.setSoTimeout(5_000);
      write(www, "", """
          function onRendezVousUnknown(peerId)
            asked = peerId
            if #peerId == 32 then return '127.0.0.1:%d' end
          end
          function onConnection(client)
            function client:askedHex()
              if not asked then return nil end
              return (asked:gsub('.', function(c) return string.format('%%02x', string.byte(c)) end))
            end
          end
          """.formatted(elsewhere.getLocalPort()));
      node = start(www, "");
      client = RtmfpClient.open();
      byte[] nobody = new byte[32];
      Arrays.fill(nobody, (byte) 0x5a);
      client.connectToPeer(node.localAddress(), nobody);
      // The Redirect sends the initiator's IHello to the address the script gave.
      DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
      elsewhere.receive(p);
      assertThat(p.getSocketAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", client.localAddress().getPort()));
      // The script got the raw 32 bytes (CUMULUS-FEATURES §8.5), not hex.
      ClientNetConnection nc = client.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/")
          .get(10, TimeUnit.SECONDS);
      assertThat(nc.call("askedHex").get(5, TimeUnit.SECONDS)).isEqualTo(HexFormat.of().formatHex(nobody));
    }
  }

  @Test
  void sendMailFromAnRpcReachesTheSmtpServer() throws Exception {
    Path www = dir.resolve("www");
    write(www, "", """
        function onConnection(client)
          function client:mail(to, subject)
            local m = cumulus:sendMail('node@example.org', subject, 'sent by ' .. self.id, to)
            function m:onSent(err) mailed = err or 'ok' end
          end
          function client:mailed() return mailed end
        end
        """);
    node = start(www, "smtp.host=127.0.0.1\nsmtp.port=" + smtp.getSmtp().getPort() + "\n");
    client = RtmfpClient.open();
    ClientNetConnection nc = client.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/")
        .get(10, TimeUnit.SECONDS);
    nc.call("mail", "ops@example.org", "node report");
    assertThat(smtp.waitForIncomingEmail(10_000, 1)).isTrue();
    MimeMessage m = smtp.getReceivedMessages()[0];
    assertThat(m.getSubject()).isEqualTo("node report");
    assertThat(m.getAllRecipients()[0].toString()).isEqualTo("ops@example.org");
    assertThat(GreenMailUtil.getBody(m)).startsWith("sent by ").hasSize("sent by ".length() + 64);
    await().atMost(Duration.ofSeconds(5)).until(() -> "ok".equals(nc.call("mailed").get(5, TimeUnit.SECONDS)));
  }
}
