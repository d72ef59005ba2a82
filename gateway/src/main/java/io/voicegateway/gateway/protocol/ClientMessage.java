package io.voicegateway.gateway.protocol;

import java.util.Objects;
import java.util.Optional;

/** A valid message from a client (WIRE.md §4 and docs/PROTOCOL.md). */
public sealed interface ClientMessage extends ParseResult
    permits ClientMessage.Text, ClientMessage.Control, ClientMessage.Resume, ClientMessage.Audio,
        ClientMessage.Listen {

  /**
   * {@code {"type":"text","text":"…","is_final":true,"id":"…"}}: text to speak. {@code isFinal}
   * defaults to true; {@code id} is the optional utterance id (additive) echoed in
   * {@code utterance_start}/{@code utterance_end}.
   */
  record Text(String text, boolean isFinal, Optional<String> id) implements ClientMessage {
    public Text {
      Objects.requireNonNull(text, "text");
      Objects.requireNonNull(id, "id");
    }
  }

  /** {@code {"type":"control","command":"PAUSE"|"RESUME"|"STOP"}}. */
  record Control(Command command) implements ClientMessage {
    public Control {
      Objects.requireNonNull(command, "command");
    }
  }

  /** The commands of a control message; the wire name is the constant's name. */
  enum Command {
    PAUSE,
    RESUME,
    STOP
  }

  /**
   * {@code {"type":"resume","session_id":"ws-…","resume_token":"…","last_sequence":N}} (additive):
   * reattach to a session after a reconnect, asking for audio after {@code lastSequence}.
   */
  record Resume(String sessionId, String resumeToken, long lastSequence) implements ClientMessage {
    public Resume {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(resumeToken, "resumeToken");
    }

    /** Redacts the token: secrets never reach logs (DESIGN.md). */
    @Override
    public String toString() {
      return "Resume[sessionId=" + sessionId + ", resumeToken=<redacted>, lastSequence="
          + lastSequence + "]";
    }
  }

  /**
   * The user's audio (additive): a binary frame with an 8-byte header, or
   * {@code {"type":"audio","pcm":"<base64>","sample_rate":N}}. {@code pcm} is 16-bit
   * little-endian mono PCM, checked against the connection's {@link InputAudioFormat} by the
   * session link; {@code sampleRate} is 0 when the message did not name one.
   */
  record Audio(org.apache.pekko.util.ByteString pcm, int sampleRate) implements ClientMessage {
    public Audio {
      Objects.requireNonNull(pcm, "pcm");
    }
  }

  /**
   * {@code {"type":"listen","sample_rate":N,"barge_in":B}} (additive; both fields optional): the
   * format of the user's audio from now on, and automatic barge-in on or off.
   */
  record Listen(java.util.OptionalInt sampleRate, Optional<Boolean> bargeIn)
      implements ClientMessage {
    public Listen {
      Objects.requireNonNull(sampleRate, "sampleRate");
      Objects.requireNonNull(bargeIn, "bargeIn");
    }
  }
}
