package io.altocumulus.edge.lua.io;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code cumulus:sendMail} (CUMULUS-FEATURES §5.1) against GreenMail's in-process SMTP server. */
class LuaMailTest {
  @RegisterExtension
  static final GreenMailExtension smtp = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

  private final TestLuaRuntime rt = new TestLuaRuntime();
  private LuaIo io;

  @AfterEach
  void tearDown() {
    if (io != null) {
      io.close();
    }
    rt.close();
  }

  @Test
  void mailReachesTheRelayThenOnSentGetsNil() throws Exception {
    io = new LuaIo(new Mailer.Config("127.0.0.1", smtp.getSmtp().getPort(), Duration.ofSeconds(5)));
    io.install(rt, rt.cumulus);
    rt.run("""
        mail = cumulus:sendMail("node@example.org", "Caf\\195\\169 report", "line one\\nline two", "a@example.org", "b@example.net")
        function mail:onSent(err) sent = true; sendError = err end
        """);
    rt.await("sent");
    assertThat(rt.eval("sendError").isnil()).isTrue();
    assertThat(smtp.waitForIncomingEmail(5000, 2)).isTrue();
    MimeMessage[] got = smtp.getReceivedMessages();
    assertThat(got).hasSize(2); // one copy per recipient mailbox
    MimeMessage m = got[0];
    assertThat(m.getSubject()).isEqualTo("Café report");
    assertThat(GreenMailUtil.getBody(m).replace("\r\n", "\n")).isEqualTo("line one\nline two");
    assertThat(m.getFrom()[0].toString()).isEqualTo("node@example.org");
    assertThat(Arrays.stream(m.getRecipients(Message.RecipientType.TO)).map(Object::toString))
        .containsExactly("a@example.org", "b@example.net");
    assertThat(io.stats().mailsSent()).isEqualTo(1);
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void unreachableRelayGivesOnSentAnError() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    io = new LuaIo(new Mailer.Config("127.0.0.1", closedPort, Duration.ofSeconds(2)));
    io.install(rt, rt.cumulus);
    rt.run("""
        mail = cumulus:sendMail("node@example.org", "s", "b", "a@example.org")
        function mail:onSent(err) sent = true; sendError = err end
        """);
    rt.await("sent");
    assertThat(rt.eval("sendError").tojstring()).containsIgnoringCase("connect");
    assertThat(io.stats().mailsFailed()).isEqualTo(1);
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void badAddressIsRefusedButStillReportedThroughOnSent() {
    io = new LuaIo(new Mailer.Config("127.0.0.1", smtp.getSmtp().getPort(), Duration.ofSeconds(2)));
    io.install(rt, rt.cumulus);
    rt.run("""
        mail = cumulus:sendMail("node@example.org", "s", "b", "not an address")
        function mail:onSent(err) sent = true; sendError = err end
        """);
    rt.await("sent"); // onSent is set after sendMail returned, and still called
    assertThat(rt.eval("sendError").isstring()).isTrue();
    assertThat(io.stats().mailsRefused()).isEqualTo(1);
    assertThat(smtp.getReceivedMessages()).isEmpty();
  }

  @Test
  void configFromRawKeys() {
    assertThat(Mailer.Config.of(java.util.Map.of("SMTP.Host", "relay.example.org", "smtp.port", "2525", "smtp.timeout", "7")))
        .isEqualTo(new Mailer.Config("relay.example.org", 2525, Duration.ofSeconds(7)));
    assertThat(Mailer.Config.of(java.util.Map.of("smtp.port", "x", "smtp.timeout", "0"))).isEqualTo(Mailer.Config.DEFAULTS);
  }
}
