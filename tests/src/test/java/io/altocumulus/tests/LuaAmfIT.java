package io.altocumulus.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.altocumulus.edge.config.NodeConfig;
import io.altocumulus.edge.node.EdgeNode;
import io.altocumulus.rtmfp.amf.Amf0Reader;
import io.altocumulus.rtmfp.amf.Amf0Writer;
import io.altocumulus.rtmfp.amf.Amf3Reader;
import io.altocumulus.rtmfp.amf.Amf3Writer;
import io.altocumulus.rtmfp.amf.AmfArray;
import io.altocumulus.rtmfp.amf.AmfContext;
import io.altocumulus.rtmfp.amf.AmfDate;
import io.altocumulus.rtmfp.amf.AmfDictionary;
import io.altocumulus.rtmfp.amf.AmfExternalizer;
import io.altocumulus.rtmfp.amf.AmfObject;
import io.altocumulus.rtmfp.amf.AmfOutput;
import io.altocumulus.rtmfp.client.ClientNetConnection;
import io.altocumulus.rtmfp.client.RtmfpClient;
import io.altocumulus.rtmfp.tc.TcCommand;
import io.altocumulus.rtmfp.tc.TcMessage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AMF ↔ Lua mapping (CUMULUS-FEATURES §5.17) end to end: a client sends a typed object and an
 * AMF3 externalizable object in a call, Lua reads them (onTypedObject, __readExternal), answers a
 * Date, a ByteArray, a Dictionary and an array, and writes the externalizable back (__writeExternal).
 */
class LuaAmfIT {
  static final String MAIN = """
      Point = {}
      Point.__index = Point
      function Point:__readExternal(reader)
        self.x = reader:readInt()
        self.y = reader:readUnsignedShort()
        self.label = reader:readUTF()
      end
      function Point:__writeExternal(writer)
        writer:writeInt(self.x * 2)
        writer:writeUnsignedShort(self.y * 2)
        writer:writeUTF(self.label .. '!')
      end
      typed = {}
      function onTypedObject(type, object)
        typed[#typed + 1] = type
        if type == 'my.Point' then setmetatable(object, Point) end
      end
      function onConnection(client)
        function client:take(person, point, n)
          return {
            personType = person.__type, name = person.name, age = person.age,
            pointType = point.__type, x = point.x, y = point.y, label = point.label, n = n,
            typed = table.concat(typed, ','),
            date = {__time = 1234567890123},
            bytes = {__raw = 'a\\0b'},
            dict = {__size = 2, [7] = 'seven', k = 'v'},
            array = {10, 20, 30, name = 'arr'},
            back = {__raw = cumulus:toAMF(point)},
          }
        end
        function client:plain(x) return x end
      end
      """;

  /** my.Point on the wire: x (int32), y (uint16), label (UTF). */
  static final AmfExternalizer POINT = new AmfExternalizer() {
    @Override
    public Object readExternal(String className, Amf3Reader in) {
      return AmfObject.externalized(className, new Object[] {in.readI32(), in.readU16(), in.readUtf()});
    }

    @Override
    public void writeExternal(Object value, Amf3Writer out) {
      Object[] v = (Object[]) ((AmfObject) value).externalData();
      out.output().writeI32((Integer) v[0]).writeU16((Integer) v[1]).writeUtf((String) v[2]);
    }
  };
  static final AmfContext CTX = new AmfContext().register("my.Point", POINT).freeze();

  @TempDir
  Path dir;
  EdgeNode node;
  RtmfpClient client;
  ClientNetConnection nc;
  final Map<Double, TcCommand> answers = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    Path www = dir.resolve("www");
    Files.createDirectories(www);
    Files.writeString(www.resolve("main.lua"), MAIN);
    node = EdgeNode.start(NodeConfig.fromIni("host=127.0.0.1\nthreads=2\n", Map.of("www", www.toString())).withPort(0));
    client = RtmfpClient.open();
    nc = client.connect("rtmfp://127.0.0.1:" + node.localAddress().getPort() + "/", new RtmfpClient.ConnectOptions())
        .get(10, TimeUnit.SECONDS);
    nc.onMessage(m -> {
      int type = m[0] & 0xFF;
      if (type == TcMessage.AMF0_COMMAND || type == TcMessage.AMF3_COMMAND) {
        TcCommand c = TcCommand.parse(m, 0, m.length, AmfContext.DEFAULT);
        answers.put(c.transactionId(), c);
      }
    });
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

  /** A call written with our externalizer (the project client's call() knows no custom classes). */
  TcCommand rawCall(double txid, String method, Object... args) {
    AmfOutput out = new AmfOutput(128);
    out.writeU8(TcMessage.AMF0_COMMAND).writeI32(0);
    Amf0Writer w = new Amf0Writer(out, Amf0Writer.Mode.AMF3_SWITCH, CTX);
    w.writeString(method);
    w.writeNumber(txid);
    w.writeNull();
    for (Object a : args) {
      w.writeValue(a);
    }
    nc.sendRaw(out.toByteArray());
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.containsKey(txid));
    return answers.get(txid);
  }

  @Test
  void typedAndExternalizableObjectsInAndRichTypesOut() throws Exception {
    AmfObject person = new AmfObject("my.Person");
    person.sealed().put("name", "ann");
    person.sealed().put("age", 33);
    AmfObject point = AmfObject.externalized("my.Point", new Object[] {3, 4, "p"});
    TcCommand r = rawCall(100, "take", person, point, 5);
    assertThat(r.name()).isEqualTo("_result");
    AmfObject o = (AmfObject) r.args().get(0);
    assertThat(o.get("personType")).isEqualTo("my.Person");
    assertThat(o.get("name")).isEqualTo("ann");
    assertThat(((Number) o.get("age")).intValue()).isEqualTo(33);
    assertThat(o.get("pointType")).isEqualTo("my.Point");
    assertThat(((Number) o.get("x")).intValue()).isEqualTo(3);
    assertThat(((Number) o.get("y")).intValue()).isEqualTo(4);
    assertThat(o.get("label")).isEqualTo("p");
    assertThat(((Number) o.get("n")).intValue()).isEqualTo(5);
    // onTypedObject ran for both: the externalizable one while decoding (before its __readExternal),
    // the other typed one when the arguments became tables, so not in wire order (LUA.md).
    assertThat(o.get("typed")).isEqualTo("my.Point,my.Person");

    assertThat(o.get("date")).isInstanceOf(AmfDate.class);
    assertThat(((AmfDate) o.get("date")).epochMillis()).isEqualTo(1234567890123.0);
    assertThat((byte[]) o.get("bytes")).containsExactly('a', 0, 'b');
    AmfDictionary dict = (AmfDictionary) o.get("dict");
    assertThat(dict.entries()).hasSize(2).containsEntry(7, "seven").containsEntry("k", "v");
    AmfArray array = (AmfArray) o.get("array");
    assertThat(array.dense()).containsExactly(10, 20, 30);
    assertThat(array.associative()).containsEntry("name", "arr");

    // The point written back by __writeExternal (cumulus:toAMF), decoded with our externalizer.
    Object back = new Amf0Reader(ByteBuffer.wrap((byte[]) o.get("back")), CTX).readValue();
    AmfObject bp = (AmfObject) back;
    assertThat(bp.className()).isEqualTo("my.Point");
    assertThat((Object[]) bp.externalData()).containsExactly(6, 8, "p!");

    // Calls without externalizables still take the ordinary path.
    assertThat(nc.call("plain", "x").get(10, TimeUnit.SECONDS)).isEqualTo("x");
  }

  @Test
  void unknownExternalizableIsAnErrorAnswerNotACrash() throws Exception {
    AmfObject other = AmfObject.externalized("my.Unknown", new Object[] {1, 2, "z"});
    AmfContext ctx = new AmfContext().register("my.Unknown", POINT);
    AmfOutput out = new AmfOutput(128);
    out.writeU8(TcMessage.AMF0_COMMAND).writeI32(0);
    Amf0Writer w = new Amf0Writer(out, Amf0Writer.Mode.AMF3_SWITCH, ctx);
    w.writeString("plain");
    w.writeNumber(101);
    w.writeNull();
    w.writeValue(other);
    nc.sendRaw(out.toByteArray());
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.containsKey(101.0));
    TcCommand r = answers.get(101.0);
    assertThat(r.name()).isEqualTo("_error");
    assertThat(String.valueOf(((AmfObject) r.args().get(0)).get("description"))).contains("my.Unknown");
    assertThat(nc.call("plain", 7).get(10, TimeUnit.SECONDS)).isEqualTo(7);
  }
}
