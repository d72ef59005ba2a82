package io.voicegateway.gateway.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RawWebSocketTest {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final HexFormat HEX = HexFormat.of();

  // --- frame encoding, against the examples of RFC 6455 §5.7 -----------------------------------

  @Test
  void maskedHelloIsTheRfcExample() {
    byte[] frame = RawWebSocket.encodeFrame(true, RawWebSocket.TEXT,
        "Hello".getBytes(StandardCharsets.US_ASCII), HEX.parseHex("37fa213d"));
    assertEquals("818537fa213d7f9f4d5158", HEX.formatHex(frame));
  }

  @Test
  void lengthUpTo125IsInTheSecondByte() {
    byte[] frame = RawWebSocket.encodeFrame(true, RawWebSocket.BINARY, new byte[125],
        new byte[4]);
    assertEquals("82fd", HEX.formatHex(frame, 0, 2));
    assertEquals(2 + 4 + 125, frame.length);
  }

  @Test
  void length126To65535UsesThe16BitForm() {
    byte[] frame = RawWebSocket.encodeFrame(true, RawWebSocket.BINARY, new byte[256],
        new byte[4]);
    assertEquals("82fe0100", HEX.formatHex(frame, 0, 4), "RFC 6455 §5.7: 256 bytes");
    assertEquals("82fe007e", HEX.formatHex(RawWebSocket.encodeFrame(true, RawWebSocket.BINARY,
        new byte[126], new byte[4]), 0, 4));
    byte[] largest = RawWebSocket.encodeFrame(true, RawWebSocket.BINARY, new byte[65_535],
        new byte[4]);
    assertEquals("82feffff", HEX.formatHex(largest, 0, 4));
    assertEquals(4 + 4 + 65_535, largest.length);
  }

  @Test
  void length65536AndMoreUsesThe64BitForm() {
    byte[] frame = RawWebSocket.encodeFrame(true, RawWebSocket.BINARY, new byte[65_536],
        new byte[4]);
    assertEquals("82ff0000000000010000", HEX.formatHex(frame, 0, 10), "RFC 6455 §5.7: 64 KiB");
    assertEquals(10 + 4 + 65_536, frame.length);
  }

  @Test
  void payloadIsXoredWithTheKeyInTurn() {
    byte[] payload = new byte[9];
    new Random(5).nextBytes(payload);
    byte[] key = HEX.parseHex("01020304");
    byte[] frame = RawWebSocket.encodeFrame(false, RawWebSocket.CONTINUATION, payload, key);
    assertEquals("0089", HEX.formatHex(frame, 0, 2), "no FIN, opcode 0, mask bit, length 9");
    assertEquals("01020304", HEX.formatHex(frame, 2, 6));
    for (int i = 0; i < payload.length; i++) {
      assertEquals((byte) (payload[i] ^ key[i % 4]), frame[6 + i], "byte " + i);
    }
  }

  @Test
  void anyFourBitOpcodeIsAllowedAndNoMore() {
    assertEquals("8f80", HEX.formatHex(RawWebSocket.encodeFrame(true, 0xF, new byte[0],
        new byte[4]), 0, 2));
    assertThrows(IllegalArgumentException.class,
        () -> RawWebSocket.encodeFrame(true, 0x10, new byte[0], new byte[4]));
  }

  @Test
  void acceptKeyIsTheRfcExample() {
    assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        RawWebSocket.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
  }

  // --- against a tiny server socket that decodes frames itself ---------------------------------

  /** A one-connection server: a handshake (answer chosen by the test), then a frame handler. */
  private static final class TinyServer implements AutoCloseable {
    interface Handler {
      void handle(DataInputStream in, OutputStream out) throws Exception;
    }

    private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key: *(\\S+)");

    final ServerSocket socket;
    final CompletableFuture<String> request = new CompletableFuture<>();
    final CompletableFuture<Void> done = new CompletableFuture<>();

    TinyServer(UnaryOperator<String> response, Handler handler) throws IOException {
      socket = new ServerSocket(0);
      Thread thread = new Thread(() -> {
        try (Socket s = socket.accept()) {
          DataInputStream in = new DataInputStream(s.getInputStream());
          String head = readHead(in);
          request.complete(head);
          Matcher key = KEY.matcher(head);
          String accept = key.find() ? RawWebSocket.acceptFor(key.group(1)) : "no key";
          s.getOutputStream().write(response.apply(accept).getBytes(StandardCharsets.ISO_8859_1));
          handler.handle(in, s.getOutputStream());
          done.complete(null);
        } catch (Throwable e) {
          request.completeExceptionally(e);
          done.completeExceptionally(e);
        }
      }, "tiny-websocket-server");
      thread.setDaemon(true);
      thread.start();
    }

    static String switching(String accept) {
      return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n";
    }

    URI uri(String pathAndQuery) {
      return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + pathAndQuery);
    }

    void awaitDone() throws Exception {
      done.get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new EOFException("no request");
        }
        head.write(b);
      }
      return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one client frame, checking that it is masked, and returns it unmasked. */
    static RawWebSocket.Frame readClientFrame(DataInputStream in) throws IOException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      assertTrue((b1 & 0x80) != 0, "client frames must be masked");
      long length = b1 & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] key = in.readNBytes(4);
      byte[] payload = in.readNBytes((int) length);
      for (int i = 0; i < payload.length; i++) {
        payload[i] ^= key[i % 4];
      }
      return new RawWebSocket.Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /** Writes an unmasked server frame. */
    static void writeServerFrame(OutputStream out, boolean fin, int opcode, byte[] payload)
        throws IOException {
      ByteBuffer header = ByteBuffer.allocate(10);
      header.put((byte) ((fin ? 0x80 : 0) | opcode));
      if (payload.length <= 125) {
        header.put((byte) payload.length);
      } else if (payload.length <= 0xFFFF) {
        header.put((byte) 126).putShort((short) payload.length);
      } else {
        header.put((byte) 127).putLong(payload.length);
      }
      out.write(header.array(), 0, header.position());
      out.write(payload);
      out.flush();
    }
  }

  @Test
  void handshakeSendsAValidUpgradeRequestForThePathAndQuery() throws Exception {
    try (TinyServer server = new TinyServer(TinyServer::switching, (in, out) -> { });
        RawWebSocket ws = RawWebSocket.connect(server.uri("/tts?audio=binary"), WAIT)) {
      String request = server.request.get(5, TimeUnit.SECONDS);
      assertTrue(request.startsWith("GET /tts?audio=binary HTTP/1.1\r\n"), request);
      assertTrue(request.contains("\r\nUpgrade: websocket\r\n"), request);
      assertTrue(request.contains("\r\nConnection: Upgrade\r\n"), request);
      assertTrue(request.contains("\r\nSec-WebSocket-Version: 13\r\n"), request);
      assertTrue(request.contains("\r\nHost: 127.0.0.1:" + server.socket.getLocalPort() + "\r\n"),
          request);
    }
  }

  @Test
  void aWrongAcceptKeyFailsTheHandshake() throws Exception {
    try (TinyServer server = new TinyServer(
        accept -> TinyServer.switching("dGhpcyBpcyB3cm9uZw=="), (in, out) -> { })) {
      var e = assertThrows(ProtocolException.class, () -> RawWebSocket.connect(server.uri("/"),
          WAIT));
      assertTrue(e.getMessage().startsWith("Sec-WebSocket-Accept is dGhpcyBpcyB3cm9uZw==,"
          + " expected "), e.getMessage());
    }
  }

  @Test
  void framesOfEverySizeArriveIntactWithAFreshMaskEachTime() throws Exception {
    List<Integer> sizes = List.of(0, 1, 125, 126, 65_535, 65_536, 300_000);
    List<byte[]> payloads = sizes.stream().map(n -> {
      byte[] p = new byte[n];
      new Random(n).nextBytes(p);
      return p;
    }).toList();
    List<RawWebSocket.Frame> received = new ArrayList<>();
    try (TinyServer server = new TinyServer(TinyServer::switching, (in, out) -> {
      for (int i = 0; i < sizes.size(); i++) {
        received.add(TinyServer.readClientFrame(in));
      }
    });
        RawWebSocket ws = RawWebSocket.connect(server.uri("/"), WAIT)) {
      for (byte[] payload : payloads) {
        ws.sendBinary(payload);
      }
      server.awaitDone();
    }
    for (int i = 0; i < sizes.size(); i++) {
      assertEquals(RawWebSocket.BINARY, received.get(i).opcode());
      assertTrue(received.get(i).fin());
      assertArrayEquals(payloads.get(i), received.get(i).payload(), sizes.get(i) + " bytes");
    }
  }

  @Test
  void fragmentsAreTheOpcodeThenContinuationsWithFinOnTheLast() throws Exception {
    List<RawWebSocket.Frame> received = new ArrayList<>();
    try (TinyServer server = new TinyServer(TinyServer::switching, (in, out) -> {
      for (int i = 0; i < 3; i++) {
        received.add(TinyServer.readClientFrame(in));
      }
    });
        RawWebSocket ws = RawWebSocket.connect(server.uri("/"), WAIT)) {
      ws.sendFragmented(RawWebSocket.TEXT, "abcdefg".getBytes(StandardCharsets.UTF_8), 3);
      server.awaitDone();
    }
    assertEquals(List.of(
        new RawWebSocket.Frame(false, RawWebSocket.TEXT, "abc".getBytes(StandardCharsets.UTF_8)),
        new RawWebSocket.Frame(false, RawWebSocket.CONTINUATION, "def".getBytes(
            StandardCharsets.UTF_8)),
        new RawWebSocket.Frame(true, RawWebSocket.CONTINUATION, "g".getBytes(
            StandardCharsets.UTF_8))), received);
  }

  @Test
  void readMessageJoinsFragmentsAnswersPingsAndEchoesTheClose() throws Exception {
    List<RawWebSocket.Frame> answers = new ArrayList<>();
    try (TinyServer server = new TinyServer(TinyServer::switching, (in, out) -> {
      TinyServer.writeServerFrame(out, false, RawWebSocket.TEXT, "hel".getBytes(
          StandardCharsets.UTF_8));
      TinyServer.writeServerFrame(out, true, RawWebSocket.PING, new byte[] {7});
      TinyServer.writeServerFrame(out, true, RawWebSocket.CONTINUATION, "lo".getBytes(
          StandardCharsets.UTF_8));
      TinyServer.writeServerFrame(out, true, RawWebSocket.BINARY, new byte[70_000]);
      TinyServer.writeServerFrame(out, true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xF1,
          'b', 'y', 'e'});
      answers.add(TinyServer.readClientFrame(in));
      answers.add(TinyServer.readClientFrame(in));
    });
        RawWebSocket ws = RawWebSocket.connect(server.uri("/"), WAIT)) {
      var text = ws.readMessage(WAIT);
      assertEquals(RawWebSocket.TEXT, text.opcode());
      assertEquals("hello", text.text());
      assertEquals(70_000, ws.readMessage(WAIT).payload().length);
      var close = ws.readMessage(WAIT);
      assertEquals(1009, close.closeCode());
      assertEquals("bye", close.closeReason());
      server.awaitDone();
      assertThrows(EOFException.class, () -> ws.readFrame(WAIT));
    }
    assertEquals(new RawWebSocket.Frame(true, RawWebSocket.PONG, new byte[] {7}), answers.get(0));
    assertEquals(RawWebSocket.CLOSE, answers.get(1).opcode());
    assertEquals(1009, answers.get(1).closeCode());
  }

  @Test
  void aMaskedServerFrameIsAProtocolError() throws Exception {
    try (TinyServer server = new TinyServer(TinyServer::switching,
        (in, out) -> out.write(RawWebSocket.encodeFrame(true, RawWebSocket.TEXT, new byte[1],
            new byte[4])));
        RawWebSocket ws = RawWebSocket.connect(server.uri("/"), WAIT)) {
      var e = assertThrows(IOException.class, () -> ws.readFrame(WAIT));
      assertTrue(e.getMessage().contains("masked"), e.getMessage());
    }
  }

  @Test
  void readingTimesOutWhenNothingArrives() throws Exception {
    try (TinyServer server = new TinyServer(TinyServer::switching, (in, out) -> in.read());
        RawWebSocket ws = RawWebSocket.connect(server.uri("/"), WAIT)) {
      assertThrows(SocketTimeoutException.class, () -> ws.readFrame(Duration.ofMillis(100)));
    }
  }
}
