package io.voicegateway.gateway.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal RFC 6455 WebSocket client over a plain {@link Socket}, for what the JDK client refuses
 * to send: text frames with invalid UTF-8, frames of any opcode, size and fragmentation, control
 * frames that break the rules. It validates the server's handshake and frames strictly (a wrong
 * {@code Sec-WebSocket-Accept}, a masked or RSV-flagged server frame are errors) but checks nothing
 * it sends. Only {@code ws://} (no TLS).
 *
 * <p>A daemon thread reads frames as they arrive; {@link #readFrame} returns them one by one and
 * {@link #readMessage} joins fragments and answers pings. Not thread-safe except that sending and
 * reading may happen on different threads.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;
  /** Largest frame this client reads; a larger one ends the connection with an error. */
  public static final int MAX_FRAME_BYTES = 64 * 1024 * 1024;

  private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One frame, or (from {@link #readMessage}) one whole message with {@code fin} set.
   *
   * @param payload unmasked; for CLOSE the 2-byte status code and the UTF-8 reason
   */
  public record Frame(boolean fin, int opcode, byte[] payload) {
    /** The payload as UTF-8, invalid sequences replaced. */
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The status code of a CLOSE frame; 1005 (none) if its payload is empty. */
    public int closeCode() {
      requireClose();
      return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    /** The reason of a CLOSE frame; empty if none. */
    public String closeReason() {
      requireClose();
      return payload.length <= 2 ? ""
          : new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
    }

    private void requireClose() {
      if (opcode != CLOSE) {
        throw new IllegalStateException("not a close frame: " + this);
      }
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Frame f && fin == f.fin && opcode == f.opcode
          && Arrays.equals(payload, f.payload);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * Boolean.hashCode(fin) + opcode) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
      String shown = opcode == TEXT && payload.length <= 200 ? " \"" + text() + "\""
          : opcode == CLOSE ? " " + closeCode() + " \"" + closeReason() + "\"" : "";
      return "Frame[fin=" + fin + ", opcode=" + opcode + ", " + payload.length + " bytes" + shown
          + "]";
    }
  }

  /** The server answered the upgrade request with a status other than 101. */
  public static final class UpgradeRefusedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    UpgradeRefusedException(int status, String statusLine, String body) {
      super("upgrade refused: " + statusLine + (body.isEmpty() ? "" : ": " + body));
      this.status = status;
      this.body = body;
    }

    public int status() {
      return status;
    }

    /** The response body (read when it has a Content-Length), as UTF-8. */
    public String body() {
      return body;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final BlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
  private volatile boolean closeSent;

  private RawWebSocket(Socket socket, InputStream in) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    Thread reader = new Thread(() -> readLoop(new DataInputStream(in)),
        "raw-websocket-reader-" + socket.getLocalPort());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Connects and performs the opening handshake.
   *
   * @param uri {@code ws://host:port/path?query}
   * @param timeout for the TCP connection and the handshake each
   * @throws UpgradeRefusedException if the server answers with a status other than 101
   * @throws ProtocolException if the 101 response is not a valid WebSocket upgrade
   */
  public static RawWebSocket connect(URI uri, Duration timeout) throws IOException {
    if (!"ws".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException("expected ws://host:port/…, got " + uri);
    }
    int port = uri.getPort() < 0 ? 80 : uri.getPort();
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(uri.getHost(), port), (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      handshake(uri, port, socket.getOutputStream(), in);
      socket.setSoTimeout(0); // the reader thread waits for frames as long as it takes
      return new RawWebSocket(socket, in);
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  private static void handshake(URI uri, int port, OutputStream out, InputStream in)
      throws IOException {
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String key = Base64.getEncoder().encodeToString(nonce);
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    String request = "GET " + target + " HTTP/1.1\r\n"
        + "Host: " + uri.getHost() + ":" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + key + "\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + "\r\n";
    out.write(request.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();

    String statusLine = readLine(in);
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new ProtocolException("not an HTTP response: \"" + statusLine + "\"");
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new ProtocolException("bad HTTP status line: \"" + statusLine + "\"");
    }
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new ProtocolException("bad HTTP header line: \"" + line + "\"");
      }
      headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(),
          (a, b) -> a + ", " + b);
    }
    if (status != 101) {
      throw new UpgradeRefusedException(status, statusLine, body(headers, in));
    }
    if (!"websocket".equalsIgnoreCase(headers.getOrDefault("Upgrade", ""))) {
      throw new ProtocolException("101 without \"Upgrade: websocket\": " + headers);
    }
    boolean upgrade = Arrays.stream(headers.getOrDefault("Connection", "").split(","))
        .anyMatch(token -> token.trim().equalsIgnoreCase("upgrade"));
    if (!upgrade) {
      throw new ProtocolException("101 without \"Connection: Upgrade\": " + headers);
    }
    String expected = acceptFor(key);
    String accept = headers.get("Sec-WebSocket-Accept");
    if (!expected.equals(accept)) {
      throw new ProtocolException(
          "Sec-WebSocket-Accept is " + accept + ", expected " + expected + " for key " + key);
    }
  }

  /** The {@code Sec-WebSocket-Accept} a server must answer to {@code key} (RFC 6455 §4.2.2). */
  public static String acceptFor(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  private static String body(Map<String, String> headers, InputStream in) throws IOException {
    String length = headers.get("Content-Length");
    if (length == null) {
      return "";
    }
    int n;
    try {
      n = Integer.parseInt(length.trim());
    } catch (NumberFormatException e) {
      throw new ProtocolException("bad Content-Length: " + length);
    }
    byte[] body = in.readNBytes(Math.min(n, MAX_HEADER_BYTES));
    return new String(body, StandardCharsets.UTF_8);
  }

  /** One CRLF-terminated header line, without the CRLF. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int previous = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed during the handshake");
      }
      if (previous == '\r' && b == '\n') {
        byte[] bytes = line.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.ISO_8859_1);
      }
      if (line.size() >= MAX_HEADER_BYTES) {
        throw new ProtocolException("HTTP header line longer than " + MAX_HEADER_BYTES);
      }
      line.write(b);
      previous = b;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  /**
   * Encodes one client frame: FIN bit, opcode, the mask bit with the 7-bit, 16-bit or 64-bit
   * length form (RFC 6455 §5.2), the masking key and the payload XOR-ed with it. Nothing is
   * validated beyond {@code opcode} fitting in 4 bits: control frames may be long or fragmented.
   *
   * @param maskKey 4 bytes
   */
  public static byte[] encodeFrame(boolean fin, int opcode, byte[] payload, byte[] maskKey) {
    if (opcode < 0 || opcode > 0xF) {
      throw new IllegalArgumentException("an opcode has 4 bits, got " + opcode);
    }
    if (maskKey.length != 4) {
      throw new IllegalArgumentException("a masking key has 4 bytes, got " + maskKey.length);
    }
    int lengthBytes = payload.length <= 125 ? 0 : payload.length <= 0xFFFF ? 2 : 8;
    ByteBuffer frame = ByteBuffer.allocate(2 + lengthBytes + 4 + payload.length);
    frame.put((byte) ((fin ? 0x80 : 0) | opcode));
    if (lengthBytes == 0) {
      frame.put((byte) (0x80 | payload.length));
    } else if (lengthBytes == 2) {
      frame.put((byte) (0x80 | 126)).putShort((short) payload.length);
    } else {
      frame.put((byte) (0x80 | 127)).putLong(payload.length);
    }
    frame.put(maskKey);
    for (int i = 0; i < payload.length; i++) {
      frame.put((byte) (payload[i] ^ maskKey[i & 3]));
    }
    return frame.array();
  }

  /** Sends one frame, masked with a fresh random key. */
  public void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
    byte[] maskKey = new byte[4];
    RANDOM.nextBytes(maskKey);
    byte[] frame = encodeFrame(fin, opcode, payload, maskKey);
    synchronized (out) {
      out.write(frame);
      out.flush();
    }
  }

  /** Sends a whole text message in one frame. */
  public void sendText(String text) throws IOException {
    sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends a whole binary message in one frame. */
  public void sendBinary(byte[] bytes) throws IOException {
    sendFrame(true, BINARY, bytes);
  }

  /**
   * Sends {@code payload} as one message of {@code opcode} (TEXT or BINARY) in fragments of at
   * most {@code fragmentBytes}: the first frame with the opcode, the rest as CONTINUATION, FIN on
   * the last.
   */
  public void sendFragmented(int opcode, byte[] payload, int fragmentBytes) throws IOException {
    if (fragmentBytes <= 0) {
      throw new IllegalArgumentException("fragmentBytes must be positive, got " + fragmentBytes);
    }
    int offset = 0;
    do {
      int end = Math.min(payload.length, offset + fragmentBytes);
      sendFrame(end == payload.length, offset == 0 ? opcode : CONTINUATION,
          Arrays.copyOfRange(payload, offset, end));
      offset = end;
    } while (offset < payload.length);
  }

  /** Sends a ping. */
  public void sendPing(byte[] payload) throws IOException {
    sendFrame(true, PING, payload);
  }

  /** Sends a close frame with a status code and reason. */
  public void sendClose(int code, String reason) throws IOException {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    sendFrame(true, CLOSE, ByteBuffer.allocate(2 + text.length).putShort((short) code).put(text)
        .array());
    closeSent = true;
  }

  // ---------------------------------------------------------------------------------------------
  // Receiving

  /**
   * The next frame exactly as the server sent it (unmasked), pings and pongs included and not
   * answered.
   *
   * @throws SocketTimeoutException if none arrives within {@code timeout}
   * @throws EOFException if the server closed the TCP connection and every frame has been read
   * @throws ProtocolException if the server sent an invalid frame (masked, RSV bits set, too long)
   */
  public Frame readFrame(Duration timeout) throws IOException, InterruptedException {
    Object next = incoming.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (next == null) {
      throw new SocketTimeoutException("no frame from the server within " + timeout);
    }
    if (next instanceof IOException end) {
      incoming.add(end); // every later read fails the same way
      if (end instanceof EOFException) {
        throw new EOFException(end.getMessage());
      }
      throw new IOException(end.getMessage(), end);
    }
    return (Frame) next;
  }

  /**
   * The next whole message: a TEXT or BINARY message with its fragments joined (returned as one
   * frame with {@code fin} set and the first frame's opcode), or a CLOSE frame. Pings are answered
   * with a pong of the same payload and skipped, as are pongs. A received CLOSE is answered with a
   * CLOSE of the same status code unless one was sent already.
   *
   * @param timeout for the whole message
   * @throws ProtocolException if a CONTINUATION frame comes without a message to continue, or a
   *     new message starts before the previous one ended
   */
  public Frame readMessage(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream fragments = null;
    int messageOpcode = -1;
    while (true) {
      Frame frame = readFrame(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      switch (frame.opcode()) {
        case PING -> sendFrame(true, PONG, frame.payload());
        case PONG -> { }
        case CLOSE -> {
          if (!closeSent) {
            sendClose(frame.closeCode() == 1005 ? 1000 : frame.closeCode(), "");
          }
          return frame;
        }
        case CONTINUATION -> {
          if (fragments == null) {
            throw new ProtocolException("continuation frame without a message to continue");
          }
          fragments.writeBytes(frame.payload());
          if (frame.fin()) {
            return new Frame(true, messageOpcode, fragments.toByteArray());
          }
        }
        default -> {
          if (fragments != null) {
            throw new ProtocolException("a new message (" + frame + ") started before the"
                + " fragmented one ended");
          }
          if (frame.fin()) {
            return frame;
          }
          fragments = new ByteArrayOutputStream();
          fragments.writeBytes(frame.payload());
          messageOpcode = frame.opcode();
        }
      }
    }
  }

  /**
   * Reads messages, skipping text and binary ones, until the server's CLOSE frame, and returns it
   * (answered as in {@link #readMessage}).
   */
  public Frame awaitClose(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Frame message = readMessage(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (message.opcode() == CLOSE) {
        return message;
      }
    }
  }

  /** Closes the TCP connection at once, without a close handshake. */
  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void readLoop(DataInputStream in) {
    try {
      while (true) {
        incoming.add(readFrameFrom(in));
      }
    } catch (IOException e) {
      incoming.add(socket.isClosed() ? new EOFException("the socket was closed by this client")
          : e);
    }
  }

  private static Frame readFrameFrom(DataInputStream in) throws IOException {
    int b0 = in.read();
    if (b0 < 0) {
      throw new EOFException("the server closed the TCP connection");
    }
    int b1 = in.readUnsignedByte();
    if ((b0 & 0x70) != 0) {
      throw new ProtocolException(String.format(Locale.ROOT,
          "server frame has RSV bits set (first byte 0x%02x) without a negotiated extension", b0));
    }
    if ((b1 & 0x80) != 0) {
      throw new ProtocolException("server frame is masked (RFC 6455 §5.1 forbids it)");
    }
    long length = b1 & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if (length < 0 || length > MAX_FRAME_BYTES) {
      throw new ProtocolException("server frame of " + Long.toUnsignedString(length)
          + " bytes; at most " + MAX_FRAME_BYTES + " are read");
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
  }
}
