package io.voicegateway.gateway.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * The JSON text of every message the gateway sends to a client, fields in the order of WIRE.md §4.
 * {@link #audio} is on the hot path (50 messages a second per session) and is built without
 * Jackson; everything else goes through Jackson for correct escaping.
 */
public final class ServerMessages {

  /** Version of the protocol with the extensions of docs/PROTOCOL.md; WIRE.md §4 alone is 1. */
  public static final int PROTOCOL_VERSION = 2;
  public static final int SAMPLE_RATE = 48_000;
  public static final int FRAME_MS = 20;
  public static final int FRAME_BYTES = 1_920;
  public static final int CHANNELS = 1;
  public static final String ENCODING = "pcm_s16le";

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  static final String AUDIO_HEAD = "{\"type\":\"audio\",\"pcm\":\"";
  static final String AUDIO_TAIL =
      "\",\"sample_rate\":" + SAMPLE_RATE + ",\"frame_ms\":" + FRAME_MS + ",\"sequence\":";
  private static final int AUDIO_CAPACITY = AUDIO_HEAD.length() + (FRAME_BYTES + 2) / 3 * 4
      + AUDIO_TAIL.length() + 20 + 1; // 20: the digits of any long

  private static final String PAUSED = render(object("paused"));
  private static final String RESUMED = render(object("resumed"));
  private static final String CLEAR = render(object("clear"));

  private ServerMessages() {}

  /** {@code {"type":"session_start","session_id":"…"}} exactly as the existing system sends it. */
  public static String sessionStart(String sessionId) {
    Objects.requireNonNull(sessionId, "sessionId");
    return render(object("session_start").put("session_id", sessionId));
  }

  /**
   * {@code session_start} with the additive fields: {@code protocol_version} and {@code audio}
   * ({@code sample_rate}, {@code frame_ms}, {@code encoding}, {@code channels}, {@code transport}).
   */
  public static String sessionStart(String sessionId, AudioTransport transport) {
    return sessionStart(sessionId, transport, Optional.empty());
  }

  /** As {@link #sessionStart(String, AudioTransport)}, plus {@code resume_token} when present. */
  public static String sessionStart(
      String sessionId, AudioTransport transport, Optional<String> resumeToken) {
    return sessionStart(sessionId, transport, resumeToken, null, true);
  }

  /**
   * As above, plus {@code input_audio} (the format the user's audio must have) and
   * {@code barge_in} when {@code input} is not null.
   */
  public static String sessionStart(String sessionId, AudioTransport transport,
      Optional<String> resumeToken, InputAudioFormat input, boolean bargeIn) {
    Objects.requireNonNull(sessionId, "sessionId");
    ObjectNode node = object("session_start").put("session_id", sessionId)
        .put("protocol_version", PROTOCOL_VERSION);
    node.putObject("audio")
        .put("sample_rate", SAMPLE_RATE)
        .put("frame_ms", FRAME_MS)
        .put("encoding", ENCODING)
        .put("channels", CHANNELS)
        .put("transport", transport.wireName());
    if (input != null) {
      inputAudio(node.putObject("input_audio"), input);
      node.put("barge_in", bargeIn);
    }
    resumeToken.ifPresent(token -> node.put("resume_token", token));
    return render(node);
  }

  private static ObjectNode inputAudio(ObjectNode node, InputAudioFormat input) {
    return node.put("sample_rate", input.sampleRate())
        .put("encoding", ENCODING)
        .put("channels", CHANNELS)
        .put("min_frame_ms", InputAudioFormat.MIN_FRAME_MS)
        .put("max_frame_ms", InputAudioFormat.MAX_FRAME_MS);
  }

  /**
   * Additive: {@code {"type":"listening","input_audio":{…},"barge_in":B}}, the answer to
   * {@code listen}: how the gateway hears the user from now on.
   */
  public static String listening(InputAudioFormat input, boolean bargeIn) {
    ObjectNode node = object("listening");
    inputAudio(node.putObject("input_audio"), input);
    return render(node.put("barge_in", bargeIn));
  }

  /** Additive: {@code {"type":"speech_started","onset_ms":N,"heard_ms":N}}. */
  public static String speechStarted(long onsetMs, long heardMs) {
    return render(object("speech_started").put("onset_ms", onsetMs).put("heard_ms", heardMs));
  }

  /** Additive: {@code {"type":"speech_stopped","end_ms":N,"speech_ms":N}}. */
  public static String speechStopped(long endMs, long speechMs) {
    return render(object("speech_stopped").put("end_ms", endMs).put("speech_ms", speechMs));
  }

  /** Additive: {@code {"type":"user_turn_end","speech_ms":N,"silence_ms":N}}. */
  public static String userTurnEnd(long speechMs, long silenceMs) {
    return render(object("user_turn_end").put("speech_ms", speechMs)
        .put("silence_ms", silenceMs));
  }

  /**
   * Additive: {@code {"type":"interruption_started|interruption_confirmed|false_interruption",
   * "id":"…","frames_played":N}}.
   */
  public static String interruption(String type, String utteranceId, long framesPlayed) {
    Objects.requireNonNull(utteranceId, "utteranceId");
    return render(object(type).put("id", utteranceId).put("frames_played", framesPlayed));
  }

  /**
   * {@code {"type":"audio","pcm":"<base64>","sample_rate":48000,"frame_ms":20,"sequence":N}}.
   *
   * @param pcm exactly one frame, 1 920 bytes
   */
  public static String audio(byte[] pcm, long sequence) {
    requireWholeFrame(pcm);
    return new StringBuilder(AUDIO_CAPACITY)
        .append(AUDIO_HEAD)
        .append(BASE64.encodeToString(pcm)) // base64 needs no JSON escaping
        .append(AUDIO_TAIL)
        .append(sequence)
        .append('}')
        .toString();
  }

  /** The binary alternative to {@link #audio}; layout in {@link BinaryAudioFrame}. */
  public static ByteString binaryAudio(byte[] pcm, long sequence) {
    return BinaryAudioFrame.encode(pcm, sequence);
  }

  /** The JSON of an audio frame as {@link #audio} writes it: {@code [head, tail]} around the pcm. */
  public static String[] audioLayout() {
    return new String[] {AUDIO_HEAD, AUDIO_TAIL};
  }

  /** {@code {"type":"session_end","session_id":"…","reason":"…"}}. */
  public static String sessionEnd(String sessionId, SessionEndReason reason) {
    return sessionEnd(sessionId, reason, false);
  }

  /**
   * As {@link #sessionEnd(String, SessionEndReason)}; with {@code resumable} the additive
   * {@code "resumable":true}: reconnect and send {@code resume} to continue the session.
   */
  public static String sessionEnd(String sessionId, SessionEndReason reason, boolean resumable) {
    Objects.requireNonNull(sessionId, "sessionId");
    ObjectNode node = object("session_end").put("session_id", sessionId)
        .put("reason", reason.wireName());
    if (resumable) node.put("resumable", true);
    return render(node);
  }

  /**
   * Additive: {@code {"type":"session_resumed","session_id":…,"next_sequence":…,"accepted":…,
   * "paused":…,"pending":…}}: this connection now carries the resumed session.
   */
  public static String sessionResumed(String sessionId, long nextSequence, long accepted,
      boolean paused, int pending) {
    Objects.requireNonNull(sessionId, "sessionId");
    return render(object("session_resumed").put("session_id", sessionId)
        .put("next_sequence", nextSequence).put("accepted", accepted).put("paused", paused)
        .put("pending", pending));
  }

  /** {@code {"type":"error","message":"…","code":"…"}}. */
  public static String error(ErrorCode code, String message) {
    Objects.requireNonNull(message, "message");
    return render(object("error").put("message", message).put("code", code.wireName()));
  }

  /** Additive: {@code {"type":"utterance_start","id":"…"}} before the utterance's first frame. */
  public static String utteranceStart(String utteranceId) {
    Objects.requireNonNull(utteranceId, "utteranceId");
    return render(object("utterance_start").put("id", utteranceId));
  }

  /**
   * Additive: {@code {"type":"utterance_end","id":"…","frames":N,"reason":"…"}} after the last
   * frame the utterance will ever have.
   */
  public static String utteranceEnd(String utteranceId, long frames, UtteranceEndReason reason) {
    Objects.requireNonNull(utteranceId, "utteranceId");
    return render(object("utterance_end").put("id", utteranceId).put("frames", frames)
        .put("reason", reason.wireName()));
  }

  /** Additive: {@code {"type":"paused"}}: halt playback, keep what is buffered. */
  public static String paused() {
    return PAUSED;
  }

  /** Additive: {@code {"type":"resumed"}}: continue playback of what is buffered. */
  public static String resumed() {
    return RESUMED;
  }

  /** Additive: {@code {"type":"clear"}}: drop buffered audio now. */
  public static String clear() {
    return CLEAR;
  }

  /**
   * Additive: {@code {"type":"worker_changed","id":"…","reason":"…"}}: the utterance continues on
   * another worker after its worker failed.
   */
  public static String workerChanged(String utteranceId, String reason) {
    Objects.requireNonNull(utteranceId, "utteranceId");
    Objects.requireNonNull(reason, "reason");
    return render(object("worker_changed").put("id", utteranceId).put("reason", reason));
  }

  static void requireWholeFrame(byte[] pcm) {
    Objects.requireNonNull(pcm, "pcm");
    if (pcm.length != FRAME_BYTES) {
      throw new IllegalArgumentException(
          "an audio frame is exactly " + FRAME_BYTES + " bytes, got " + pcm.length);
    }
  }

  private static ObjectNode object(String type) {
    return MAPPER.createObjectNode().put("type", type);
  }

  private static String render(ObjectNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + node.get("type"), e); // not for trees
    }
  }
}
