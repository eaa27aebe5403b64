package io.altocumulus.tests.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.altocumulus.edge.lua.LuaAmf;
import io.altocumulus.edge.lua.LuaHost;
import io.altocumulus.rtmfp.amf.Amf0Reader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Lua AMF bridge: {@link LuaAmf#decode} and {@link LuaHost#toLua} on decoded values (cyclic
 * graphs included: AMF0 and AMF3 references can make them), run on the Lua thread as the edge
 * does. A host over an empty www, as edge/server's LuaHostTest builds it.
 */
class LuaAmfFuzzTest {
  private static Path www;
  private static LuaHost host;

  @BeforeAll
  static void start() throws Exception {
    www = Files.createTempDirectory("fuzz-www");
    host = new LuaHost(www, Map.of(), null);
  }

  @AfterAll
  static void stop() throws Exception {
    host.close();
    Files.deleteIfExists(www);
  }

  @FuzzTest(maxDuration = "5s")
  void decode(byte[] data) throws Exception {
    long bound = (24L << 20) + 64L * data.length;
    // Checked on the Lua thread, where the bridge runs and allocates.
    onLua(() -> Fuzz.check("LuaAmf.decode", bound, () -> LuaAmf.decode(host, data)));
    onLua(() -> Fuzz.check("LuaHost.toLua", bound, () -> {
      Amf0Reader in = new Amf0Reader(ByteBuffer.wrap(data), host.amfContext());
      while (in.hasRemaining()) {
        host.fromLua(host.toLua(in.readValue()));
      }
    }));
  }

  /** Runs on the Lua thread; rethrows what escaped there. */
  private static void onLua(Runnable r) throws Exception {
    try {
      host.submit(() -> {
        r.run();
        return null;
      }).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException x) {
        throw x;
      }
      throw (Error) c;
    }
  }
}
