package io.voicegateway.gateway.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.BinaryAudioFrame;
import io.voicegateway.gateway.protocol.ServerMessages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what the gateway sends into {@link ServerEvent}s. It reads strictly what the gateway
 * promises (one JSON object per text message, no duplicate fields, required fields present with
 * their types, audio frames of exactly 1 920 bytes) and tolerantly what the protocol allows to
 * grow: unknown fields are ignored and unknown types become {@link ServerEvent.Unknown}.
 */
public final class ServerEventParser {

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Map<Class<? extends ServerEvent>, String> TYPE_NAMES = Map.ofEntries(
      Map.entry(ServerEvent.SessionStart.class, "session_start"),
      Map.entry(ServerEvent.Audio.class, "audio"),
      Map.entry(ServerEvent.UtteranceStart.class, "utterance_start"),
      Map.entry(ServerEvent.UtteranceEnd.class, "utterance_end"),
      Map.entry(ServerEvent.Paused.class, "paused"),
      Map.entry(ServerEvent.Resumed.class, "resumed"),
      Map.entry(ServerEvent.Clear.class, "clear"),
      Map.entry(ServerEvent.WorkerChanged.class, "worker_changed"),
      Map.entry(ServerEvent.Error.class, "error"),
      Map.entry(ServerEvent.SessionEnd.class, "session_end"),
      Map.entry(ServerEvent.SessionResumed.class, "session_resumed"),
      Map.entry(ServerEvent.Unknown.class, "message of an unknown type"));

  private ServerEventParser() {}

  private static final String AUDIO_HEAD = ServerMessages.audioLayout()[0];
  private static final String AUDIO_TAIL = ServerMessages.audioLayout()[1];
  private static final int AUDIO_PCM_CHARS = (ServerMessages.FRAME_BYTES + 2) / 3 * 4;

  /**
   * An audio frame laid out exactly as the gateway writes it (fields in its order, no spaces), read
   * without building a JSON tree: the load harness reads tens of thousands a second on the same
   * cores as the gateway. Anything else, valid or not, is null and goes through the full parser.
   */
  private static ServerEvent.Audio gatewayAudio(String message, long receivedNanos) {
    int tail = AUDIO_HEAD.length() + AUDIO_PCM_CHARS;
    int digits = tail + AUDIO_TAIL.length();
    int end = message.length() - 1;
    if (end <= digits || end - digits > 18 || message.charAt(end) != '}'
        || !message.startsWith(AUDIO_HEAD) || !message.startsWith(AUDIO_TAIL, tail)) {
      return null;
    }
    long sequence = 0;
    for (int i = digits; i < end; i++) {
      char c = message.charAt(i);
      if (c < '0' || c > '9' || (i == digits && c == '0' && end - digits > 1)) return null;
      sequence = sequence * 10 + (c - '0');
    }
    byte[] pcm;
    try {
      pcm = Base64.getDecoder().decode(message.substring(AUDIO_HEAD.length(), tail));
    } catch (IllegalArgumentException e) {
      return null; // the full parser names the problem
    }
    if (pcm.length != ServerMessages.FRAME_BYTES) return null;
    return new ServerEvent.Audio(pcm, sequence, ServerMessages.SAMPLE_RATE,
        ServerMessages.FRAME_MS, false, receivedNanos);
  }

  /**
   * Parses one complete text message.
   *
   * @param receivedNanos {@link System#nanoTime()} when it arrived
   * @throws MalformedServerMessageException naming what is wrong with it
   */
  public static ServerEvent parseText(String message, long receivedNanos) {
    ServerEvent.Audio audio = gatewayAudio(message, receivedNanos);
    if (audio != null) return audio;
    JsonNode root;
    try {
      root = MAPPER.readTree(message);
    } catch (JsonProcessingException e) {
      throw new MalformedServerMessageException("invalid JSON at line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ": "
          + e.getOriginalMessage(), message, receivedNanos);
    }
    if (root == null || !root.isObject()) {
      throw new MalformedServerMessageException(
          "expected a JSON object, got " + describe(root), message, receivedNanos);
    }
    Fields f = new Fields(root, message, receivedNanos);
    String type = f.string("type");
    return switch (type) {
      case "session_start" -> sessionStart(f, receivedNanos);
      case "audio" -> new ServerEvent.Audio(f.base64Frame("pcm"), f.integer("sequence"),
          f.int32("sample_rate"), f.int32("frame_ms"), false, receivedNanos);
      case "utterance_start" -> new ServerEvent.UtteranceStart(f.string("id"), receivedNanos);
      case "utterance_end" -> new ServerEvent.UtteranceEnd(f.string("id"), f.integer("frames"),
          f.string("reason"), receivedNanos);
      case "paused" -> new ServerEvent.Paused(receivedNanos);
      case "resumed" -> new ServerEvent.Resumed(receivedNanos);
      case "clear" -> new ServerEvent.Clear(receivedNanos);
      case "worker_changed" -> new ServerEvent.WorkerChanged(f.string("id"), f.string("reason"),
          receivedNanos);
      case "error" -> new ServerEvent.Error(f.string("code"), f.string("message"), receivedNanos);
      case "session_end" -> new ServerEvent.SessionEnd(f.string("session_id"),
          f.string("reason"), root.path("resumable").asBoolean(false), receivedNanos);
      case "session_resumed" -> new ServerEvent.SessionResumed(f.string("session_id"),
          f.integer("next_sequence"), f.integer("accepted"), root.path("paused").asBoolean(false),
          f.integer("pending"), receivedNanos);
      default -> new ServerEvent.Unknown(type, message, receivedNanos);
    };
  }

  /**
   * Parses one complete binary message: an audio frame of {@link BinaryAudioFrame#FRAME_BYTES}
   * bytes, an 8-byte big-endian sequence followed by the PCM.
   *
   * @param receivedNanos {@link System#nanoTime()} when it arrived
   * @throws MalformedServerMessageException if the message has another length
   */
  public static ServerEvent.Audio parseBinary(byte[] message, long receivedNanos) {
    if (message.length != BinaryAudioFrame.FRAME_BYTES) {
      throw new MalformedServerMessageException("a binary message must be an audio frame of "
          + BinaryAudioFrame.FRAME_BYTES + " bytes (" + BinaryAudioFrame.HEADER_BYTES
          + "-byte sequence + " + BinaryAudioFrame.PCM_BYTES + " bytes of PCM), got "
          + message.length + " bytes", "<binary message of " + message.length + " bytes>",
          receivedNanos);
    }
    ByteBuffer buffer = ByteBuffer.wrap(message).order(ByteOrder.BIG_ENDIAN);
    long sequence = buffer.getLong();
    byte[] pcm = new byte[BinaryAudioFrame.PCM_BYTES];
    buffer.get(pcm);
    return new ServerEvent.Audio(pcm, sequence, ServerMessages.SAMPLE_RATE,
        ServerMessages.FRAME_MS, true, receivedNanos);
  }

  /** The wire type of an event class, {@code "server event"} for {@link ServerEvent} itself. */
  static String typeName(Class<? extends ServerEvent> eventClass) {
    return TYPE_NAMES.getOrDefault(eventClass, "server event");
  }

  private static ServerEvent.SessionStart sessionStart(Fields f, long receivedNanos) {
    String sessionId = f.string("session_id");
    int version = f.has("protocol_version") ? f.int32("protocol_version") : 0;
    Optional<String> token = f.has("resume_token")
        ? Optional.of(f.string("resume_token")) : Optional.empty();
    AudioTransport transport = f.has("audio") ? transport(f.object("audio")) : AudioTransport.JSON;
    return new ServerEvent.SessionStart(sessionId, version, token, transport, receivedNanos);
  }

  private static AudioTransport transport(Fields audio) {
    String wire = audio.string("transport");
    for (AudioTransport known : AudioTransport.values()) {
      if (known.wireName().equals(wire)) {
        return known;
      }
    }
    throw audio.malformed("field \"audio.transport\" must be json or binary, got \"" + wire + "\"");
  }

  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number with a fraction";
      default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** Typed access to the fields of one message (or nested object), failing with clear words. */
  private static final class Fields {
    private final JsonNode node;
    private final String message;
    private final long receivedNanos;
    private final String prefix;
    private final String context;

    Fields(JsonNode root, String message, long receivedNanos) {
      this(root, message, receivedNanos, "", root.path("type").isTextual()
          ? root.get("type").textValue() + " message: " : "");
    }

    private Fields(
        JsonNode node, String message, long receivedNanos, String prefix, String context) {
      this.node = node;
      this.message = message;
      this.receivedNanos = receivedNanos;
      this.prefix = prefix;
      this.context = context;
    }

    /** Whether the field is present and not null (null means absent, as the gateway reads it). */
    boolean has(String name) {
      return node.hasNonNull(name);
    }

    String string(String name) {
      JsonNode value = require(name);
      if (!value.isTextual()) {
        throw mistyped(name, "a string", value);
      }
      return value.textValue();
    }

    long integer(String name) {
      JsonNode value = require(name);
      if (!value.isIntegralNumber() || !value.canConvertToLong()) {
        throw mistyped(name, "an integer", value);
      }
      return value.longValue();
    }

    int int32(String name) {
      JsonNode value = require(name);
      if (!value.isIntegralNumber() || !value.canConvertToInt()) {
        throw mistyped(name, "a 32-bit integer", value);
      }
      return value.intValue();
    }

    Fields object(String name) {
      JsonNode value = require(name);
      if (!value.isObject()) {
        throw mistyped(name, "an object", value);
      }
      return new Fields(value, message, receivedNanos, prefix + name + ".", context);
    }

    byte[] base64Frame(String name) {
      byte[] pcm;
      try {
        pcm = Base64.getDecoder().decode(string(name));
      } catch (IllegalArgumentException e) {
        throw malformed("field \"" + prefix + name + "\" is not valid base64: " + e.getMessage());
      }
      if (pcm.length != ServerMessages.FRAME_BYTES) {
        throw malformed("field \"" + prefix + name + "\" must hold one frame of "
            + ServerMessages.FRAME_BYTES + " bytes, got " + pcm.length + " bytes");
      }
      return pcm;
    }

    MalformedServerMessageException malformed(String problem) {
      return new MalformedServerMessageException(context + problem, message, receivedNanos);
    }

    private JsonNode require(String name) {
      JsonNode value = node.get(name);
      if (value == null) {
        throw malformed("missing field \"" + prefix + name + "\"");
      }
      return value;
    }

    private MalformedServerMessageException mistyped(String name, String expected, JsonNode got) {
      return malformed("field \"" + prefix + name + "\" must be " + expected
          + ", got " + describe(got));
    }
  }
}
