package io.altocumulus.edge.lua.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UDP sockets of the Lua API (CUMULUS-FEATURES §5.15) against a Java peer on loopback. */
class LuaUdpTest {
  private final TestLuaRuntime rt = new TestLuaRuntime();
  private final LuaIo io = new LuaIo(Mailer.Config.DEFAULTS);
  private DatagramSocket peer;

  @BeforeEach
  void setUp() throws Exception {
    io.install(rt, rt.cumulus);
    peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    peer.setSoTimeout(5000);
  }

  @AfterEach
  void tearDown() {
    peer.close();
    io.close();
    rt.close();
  }

  private String peerAddress() {
    return "127.0.0.1:" + peer.getLocalPort();
  }

  private byte[] receive() throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    peer.receive(p);
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  @Test
  void boundSocketReceivesAndAnswersToTheSender() throws Exception {
    rt.run("""
        got = {}
        udp = cumulus:createUDPSocket()
        bindError = udp:bind("127.0.0.1:0")
        function udp:onReception(data, address)
          got[#got + 1] = {data = data, from = address}
          self:send("re:" .. data, address)
        end
        """);
    assertThat(rt.eval("bindError").isnil()).isTrue();
    String address = rt.eval("udp.address").tojstring();
    assertThat(address).startsWith("127.0.0.1:");
    assertThat(rt.eval("udp.peerAddress").isnil()).isTrue();
    int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));

    byte[] ping = {'p', 0, (byte) 0xff};
    peer.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
    assertThat(receive()).containsExactly('r', 'e', ':', 'p', 0, 0xff);
    assertThat(rt.eval("got[1].from").tojstring()).isEqualTo(peerAddress());
    assertThat(rt.eval("got[1].data == 'p\\0\\255'").toboolean()).isTrue();

    // Bound, so neither connect nor an address-less send.
    assertThat(rt.eval("udp:connect('" + peerAddress() + "')").tojstring()).startsWith("socket already bound");
    assertThat(rt.eval("udp:send('x')").tojstring()).contains("not connected");
    assertThat(rt.eval("udp:send('x', 'nowhere')").tojstring()).contains("invalid address");
    assertThat(io.stats().udpSendsRefused()).isEqualTo(2);

    rt.run("udp:close()");
    assertThat(rt.eval("udp.address").isnil()).isTrue();
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void connectedSocketTalksToItsPeerOnly() throws Exception {
    rt.run("""
        got = {}
        udp = cumulus:createUDPSocket(true)
        connectError = udp:connect("%s")
        function udp:onReception(data, address) got[#got + 1] = address .. "=" .. data end
        sendError = udp:send("hello")
        """.formatted(peerAddress()));
    assertThat(rt.eval("connectError").isnil()).isTrue();
    assertThat(rt.eval("sendError").isnil()).isTrue();
    assertThat(rt.eval("udp.peerAddress").tojstring()).isEqualTo(peerAddress());
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    peer.receive(p);
    assertThat(new String(p.getData(), 0, p.getLength(), "US-ASCII")).isEqualTo("hello");
    String luaAddress = rt.eval("udp.address").tojstring();
    assertThat(luaAddress).endsWith(":" + p.getPort());

    byte[] back = "back".getBytes("US-ASCII");
    peer.send(new DatagramPacket(back, back.length, p.getSocketAddress()));
    rt.await("#got == 1");
    assertThat(rt.eval("got[1]").tojstring()).isEqualTo(peerAddress() + "=back");

    assertThat(rt.eval("udp:bind('127.0.0.1:0')").tojstring()).startsWith("socket already connected");
    assertThat(rt.eval("udp:send('x', '127.0.0.1:1')").tojstring()).contains("cannot send to");
    assertThat(rt.errors).isEmpty();
  }

  @Test
  void unboundSocketSendingToAnAddressGetsAnEphemeralPort() throws Exception {
    rt.run("udp = cumulus:createUDPSocket(); e = udp:send('x', '%s')".formatted(peerAddress()));
    assertThat(rt.eval("e").isnil()).isTrue();
    assertThat(receive()).containsExactly('x');
    assertThat(rt.eval("udp.address").tojstring()).contains(":");
  }
}
