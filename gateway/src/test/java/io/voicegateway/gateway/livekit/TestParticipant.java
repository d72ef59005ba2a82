package io.voicegateway.gateway.livekit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real LiveKit participant: {@code livekit-bridge/dist/test-participant/participant.js} on
 * {@code @livekit/rtc-node}, driven by JSON lines. It joins a room, sends data packets, and
 * reports what it hears of every remote audio track (segments of voiced audio with their start,
 * end, length and frequency), all times in its own clock ({@code t_ms}), so a control's
 * {@code sent} time and the end of the audio it stopped are compared on one clock. Each event
 * also gets {@code rx_nanos}, this JVM's {@code System.nanoTime()} when it arrived.
 */
final class TestParticipant implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Writer commands;
  private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
  private final List<JsonNode> seen = new ArrayList<>();
  private final List<JsonNode> pending = new ArrayList<>();
  private int sent;

  private TestParticipant(Process process) {
    this.process = process;
    this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          if (!line.startsWith("{")) continue;
          ObjectNode event = (ObjectNode) JSON.readTree(line);
          event.put("rx_nanos", System.nanoTime()); // when this JVM learnt it
          events.add(event);
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "test-participant");
    reader.setDaemon(true);
    reader.start();
  }

  static TestParticipant join(String url, String token, Path log) throws IOException {
    File root = new File(System.getProperty("voicegw.root", ".."));
    Files.createDirectories(log.getParent());
    Process p = new ProcessBuilder("node",
        new File(root, "livekit-bridge/dist/test-participant/participant.js").getAbsolutePath(),
        "--url", url, "--token", token)
        .redirectError(log.toFile()).start();
    return new TestParticipant(p);
  }

  /** Sends a data packet; returns the {@code sent} event (its {@code t_ms}). */
  JsonNode send(String payload) throws Exception {
    String id = "m" + (++sent);
    ObjectNode command = JSON.createObjectNode().put("cmd", "send").put("id", id)
        .put("payload", payload);
    command(command);
    return await("sent " + id, e -> e.path("event").asText().equals("sent")
        && e.path("id").asText().equals(id), Duration.ofSeconds(10));
  }

  void command(ObjectNode command) throws IOException {
    commands.write(command.toString() + "\n");
    commands.flush();
  }

  /**
   * The first event that matches, among those not taken yet (in the order they came), waiting
   * for it when none does. Events that do not match stay available to later calls; every event
   * received is kept, in order, for {@link #seenSince}.
   */
  JsonNode await(String what, Predicate<JsonNode> matches, Duration timeout) throws Exception {
    for (java.util.Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
      JsonNode e = it.next();
      if (matches.test(e)) {
        it.remove();
        return e;
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode e = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : null;
      if (e == null) {
        throw new AssertionError("no " + what + " within " + timeout + "; the last events: "
            + seen.subList(Math.max(0, seen.size() - 15), seen.size()));
      }
      seen.add(e);
      if (matches.test(e)) return e;
      pending.add(e);
    }
  }

  /** The events received after {@code marker} (an event received before), in order. */
  List<JsonNode> seenSince(JsonNode marker) {
    int i = seen.indexOf(marker);
    return List.copyOf(seen.subList(i + 1, seen.size()));
  }

  /** An event of this name that happened after {@code earlier} on the participant's clock. */
  static Predicate<JsonNode> eventAfter(String name, JsonNode earlier) {
    double t = earlier.path("t_ms").asDouble();
    return e -> e.path("event").asText().equals(name) && e.path("t_ms").asDouble() > t;
  }

  static Predicate<JsonNode> event(String name) {
    return e -> e.path("event").asText().equals(name);
  }

  /** A data packet from the agent whose JSON {@code type} is {@code type}. */
  static Predicate<JsonNode> data(String type) {
    return e -> {
      if (!e.path("event").asText().equals("data")) return false;
      try {
        return JSON.readTree(e.path("payload").asText()).path("type").asText().equals(type);
      } catch (IOException notJson) {
        return false;
      }
    };
  }

  static JsonNode payload(JsonNode dataEvent) throws IOException {
    return JSON.readTree(dataEvent.path("payload").asText());
  }

  @Override
  public void close() throws Exception {
    try {
      command(JSON.createObjectNode().put("cmd", "leave"));
    } catch (IOException gone) {
      // it exited already
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
