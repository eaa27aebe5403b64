package io.altocumulus.edge.lua.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;

/** TCP client and server of the Lua API (CUMULUS-FEATURES §5.13, §5.14) against Java peers on loopback. */
class LuaTcpTest {
  private final TestLuaRuntime rt = new TestLuaRuntime();
  private LuaIo io = new LuaIo(Mailer.Config.DEFAULTS);

  @AfterEach
  void tearDown() {
    io.close();
    rt.close();
  }

  /** Echoes every chunk it reads, one write per read. */
  private static ServerSocket echoServer() throws Exception {
    ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread t = new Thread(() -> {
      try (Socket s = ss.accept()) {
        s.setTcpNoDelay(true);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] b = new byte[4096];
        for (int n; (n = in.read(b)) > 0; ) {
          out.write(b, 0, n);
          out.flush();
        }
      } catch (Exception ignored) {
        // the test closes it
      }
    }, "echo");
    t.setDaemon(true);
    t.start();
    return ss;
  }

  @Test
  void clientKeepsUnconsumedBytesAndPrependsThemNextTime() throws Exception {
    io.install(rt, rt.cumulus);
    try (ServerSocket echo = echoServer()) {
      rt.run("""
          seen, lines = {}, {}
          sock = cumulus:createTCPClient()
          function sock:onReception(data)
            seen[#seen + 1] = data
            local consumed = 0
            while true do
              local nl = data:find("\\n", consumed + 1, true)
              if not nl then break end
              lines[#lines + 1] = data:sub(consumed + 1, nl - 1)
              consumed = nl
            end
            return #data - consumed -- a partial line stays for next time
          end
          function sock:onDisconnection() closed = true; closeError = self.error end
          connectError = sock:connect("127.0.0.1", %d)
          """.formatted(echo.getLocalPort()));
      assertThat(rt.eval("connectError").isnil()).isTrue();
      rt.await("sock.connected");
      assertThat(rt.eval("sock.peerAddress").tojstring()).isEqualTo("127.0.0.1:" + echo.getLocalPort());
      assertThat(rt.eval("sock.address").tojstring()).startsWith("127.0.0.1:");

      // One echo at a time, so each reaches onReception on its own.
      rt.run("assert(sock:send('hel') == nil)");
      rt.await("#seen == 1");
      rt.run("sock:send('lo\\nwor')");
      rt.await("#seen == 2");
      rt.run("sock:send('ld\\n\\0\\255\\n')");
      rt.await("#seen == 3");
      assertThat(rt.eval("seen[1]").tojstring()).isEqualTo("hel");
      assertThat(rt.eval("seen[2]").tojstring()).isEqualTo("hello\nwor");
      assertThat(rt.eval("seen[3] == 'world\\n\\0\\255\\n'").toboolean()).isTrue();
      assertThat(rt.eval("#lines").toint()).isEqualTo(3);
      assertThat(rt.eval("lines[1]").tojstring()).isEqualTo("hello");
      assertThat(rt.eval("lines[2]").tojstring()).isEqualTo("world");
      LuaString binary = rt.eval("lines[3]").checkstring();
      byte[] b = new byte[binary.length()];
      binary.copyInto(0, b, 0, b.length);
      assertThat(b).containsExactly(0, 0xff); // binary-safe both ways

      rt.run("sock:disconnect()");
      rt.await("closed");
      assertThat(rt.eval("closeError").isnil()).isTrue();
      assertThat(rt.eval("sock.connected").toboolean()).isFalse();
      assertThat(rt.eval("sock.peerAddress").isnil()).isTrue();
      assertThat(rt.eval("sock:send('x')").tojstring()).isEqualTo("not connected");
    }
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void sendBeforeTheConnectionIsUpWaitsForIt() throws Exception {
    io.install(rt, rt.cumulus);
    try (ServerSocket echo = echoServer()) {
      rt.run("""
          got = ""
          sock = cumulus:createTCPClient()
          function sock:onReception(data) got = got .. data end
          assert(sock:connect("127.0.0.1", %d) == nil)
          assert(sock:send("early") == nil)
          """.formatted(echo.getLocalPort()));
      rt.await("got == 'early'");
    }
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void refusedConnectionEndsWithAnErrorAndDisconnection() throws Exception {
    io.install(rt, rt.cumulus);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    rt.run("""
        sock = cumulus:createTCPClient()
        function sock:onDisconnection() closed = true; closeError = self.error end
        connectError = sock:connect("127.0.0.1", %d)
        """.formatted(port));
    assertThat(rt.eval("connectError").isnil()).isTrue(); // non-blocking: the failure comes later
    rt.await("closed");
    assertThat(rt.eval("closeError").tojstring()).containsIgnoringCase("refused");
    assertThat(rt.eval("sock:connect('127.0.0.1', 0)").tojstring()).isEqualTo("invalid port 0");
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void luaServerAcceptsAJavaClient() throws Exception {
    io.install(rt, rt.cumulus);
    rt.run("""
        srv = cumulus:createTCPServer()
        started = srv:start(0)
        clients = 0
        function srv:clientHandler(client)
          clients = clients + 1
          peer = client.peerAddress
          function client:onReception(data) self:send(data:upper()) end
          function client:onDisconnection() gone = true end
        end
        """);
    assertThat(rt.eval("started").toboolean()).isTrue();
    assertThat(rt.eval("srv.running").toboolean()).isTrue();
    int port = rt.eval("srv.port").toint();
    assertThat(port).isPositive();
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.getOutputStream().write("abc".getBytes(StandardCharsets.US_ASCII));
      byte[] b = s.getInputStream().readNBytes(3);
      assertThat(new String(b, StandardCharsets.US_ASCII)).isEqualTo("ABC");
      assertThat(rt.eval("clients").toint()).isEqualTo(1);
      assertThat(rt.eval("peer").tojstring()).isEqualTo("127.0.0.1:" + s.getLocalPort());
    }
    rt.await("gone");
    // A second server on the same port cannot start.
    assertThat(rt.eval("cumulus:createTCPServer():start(" + port + ")").toboolean()).isFalse();
    rt.run("srv:stop()");
    assertThat(rt.eval("srv.running").toboolean()).isFalse();
    assertThat(rt.eval("srv.port").toint()).isZero();
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void unconsumedBytesAreBounded() throws Exception {
    io.close();
    io = new LuaIo(Mailer.Config.DEFAULTS, new IoLimits(8, 1 << 20, 1 << 20, 16, 16, 16));
    io.install(rt, rt.cumulus);
    rt.run("""
        srv = cumulus:createTCPServer()
        srv:start(0)
        function srv:clientHandler(client)
          c = client
          function client:onReception(data) return #data end -- never consumes
          function client:onDisconnection() gone = true; why = self.error end
        end
        """);
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), rt.eval("srv.port").toint())) {
      s.getOutputStream().write(new byte[20]);
      rt.await("gone");
      assertThat(s.getInputStream().read()).isEqualTo(-1); // closed by the server
    }
    assertThat(rt.eval("why").tojstring()).contains("overflow");
    assertThat(io.stats().tcpKeptOverflows()).isEqualTo(1);
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void acceptedClientsAreBoundedAndForgottenAfterDisconnection() throws Exception {
    io.close();
    io = new LuaIo(Mailer.Config.DEFAULTS, new IoLimits(8, 1 << 20, 1 << 20, 16, 1, 16));
    LuaIo.Installed app = io.install(rt, rt.cumulus);
    rt.run("""
        srv = cumulus:createTCPServer()
        srv:start(0)
        accepted, gone = 0, 0
        function srv:clientHandler(client)
          accepted = accepted + 1
          function client:onDisconnection() gone = gone + 1 end
        end
        """);
    int port = rt.eval("srv.port").toint();
    try (Socket first = new Socket(InetAddress.getLoopbackAddress(), port)) {
      rt.await("accepted == 1");
      try (Socket second = new Socket(InetAddress.getLoopbackAddress(), port)) {
        assertThat(second.getInputStream().read()).isEqualTo(-1); // over the bound: closed at once
      }
      assertThat(io.stats().tcpAcceptsRefused()).isEqualTo(1);
      assertThat(app.openSockets()).isEqualTo(2); // the server and the first client
    }
    rt.await("gone == 1");
    assertThat(rt.eval("accepted").toint()).isEqualTo(1);
    assertThat(app.openSockets()).isEqualTo(1);
    assertThat(rt.persistentCount()).isEqualTo(1);
  }

  @Test
  void sendIsBoundedWhileConnecting() throws Exception {
    io.close();
    io = new LuaIo(Mailer.Config.DEFAULTS, new IoLimits(8, 10, 1 << 20, 16, 16, 16));
    io.install(rt, rt.cumulus);
    try (ServerSocket echo = echoServer()) {
      rt.run("""
          sock = cumulus:createTCPClient()
          sock:connect("127.0.0.1", %d)
          e1 = sock:send("0123456789")
          e2 = sock:send("x")
          """.formatted(echo.getLocalPort()));
      assertThat(rt.eval("e1").isnil()).isTrue();
      assertThat(rt.eval("e2").tojstring()).startsWith("send buffer full");
      assertThat(io.stats().tcpSendsRefused()).isEqualTo(1);
    }
  }

  @Test
  void closingTheAppClosesItsSockets() throws Exception {
    LuaIo.Installed app = io.install(rt, rt.cumulus);
    try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      rt.run("""
          srv = cumulus:createTCPServer()
          srv:start(0)
          sock = cumulus:createTCPClient()
          function sock:onDisconnection() closed = true end
          sock:connect("127.0.0.1", %d)
          """.formatted(peer.getLocalPort()));
      try (Socket accepted = peer.accept()) {
        rt.await("sock.connected");
        assertThat(app.openSockets()).isEqualTo(2);
        app.close();
        accepted.setSoTimeout(5000);
        assertThat(accepted.getInputStream().read()).isEqualTo(-1);
        rt.await("closed");
        assertThat(rt.persistentCount()).isZero();
      }
    }
  }

  @Test
  void acceptedSocketsHaveNoDelay() throws Exception {
    IoStats stats = new IoStats();
    IoLoop loop = new IoLoop();
    java.util.concurrent.BlockingQueue<TcpClient> accepted = new java.util.concurrent.LinkedBlockingQueue<>();
    TcpServer server = new TcpServer(loop, Runnable::run, stats, IoLimits.DEFAULTS, accepted::add);
    try {
      assertThat(server.start(0)).isTrue();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        TcpClient c = accepted.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(c).isNotNull();
        assertThat(c.noDelay()).isTrue();
        assertThat(c.peerAddress()).isEqualTo("127.0.0.1:" + s.getLocalPort());
      }
    } finally {
      server.stop();
      loop.close();
    }
  }

  @Test
  void methodsNeedTheColon() {
    io.install(rt, rt.cumulus);
    assertThatThrownBy(() -> rt.run("cumulus.createTCPClient()")).isInstanceOf(LuaError.class).hasMessageContaining("':'");
    assertThatThrownBy(() -> rt.run("local s = cumulus:createTCPClient(); s.connect('127.0.0.1', 1)"))
        .isInstanceOf(LuaError.class).hasMessageContaining("':'");
    assertThatThrownBy(() -> rt.run("local s = cumulus:createTCPClient(); s.connected = true"))
        .isInstanceOf(LuaError.class).hasMessageContaining("read-only");
  }
}
