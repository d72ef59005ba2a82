package io.voicegateway.gateway.client;

import io.voicegateway.gateway.protocol.AudioTransport;
import io.voicegateway.gateway.protocol.ErrorCode;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One message from the gateway, as a client sees it (WIRE.md §4 and docs/PROTOCOL.md). Every event
 * carries {@code receivedNanos}: {@link System#nanoTime()} when the whole message had arrived (for
 * a message in several parts, when its last part arrived).
 *
 * <p>Messages whose {@code type} the client does not know become {@link Unknown}, as the protocol
 * requires clients to tolerate them; a message that is not a valid server message at all is
 * reported as a {@link MalformedServerMessageException} instead of an event.
 */
public sealed interface ServerEvent {

  /** {@link System#nanoTime()} when the message had arrived completely. */
  long receivedNanos();

  /** The value of the message's {@code type} field ({@code "audio"} for binary audio frames). */
  String type();

  /**
   * {@code session_start}: the session has begun.
   *
   * @param protocolVersion the {@code protocol_version} field, 0 when absent (a version 1 server)
   * @param resumeToken present when the gateway has session resumption enabled; never shown by
   *     {@link #toString()}
   * @param transport how audio arrives: {@code audio.transport}, {@link AudioTransport#JSON} when
   *     the server does not say (version 1)
   */
  record SessionStart(String sessionId, int protocolVersion, Optional<String> resumeToken,
      AudioTransport transport, long receivedNanos) implements ServerEvent {
    public SessionStart {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(resumeToken, "resumeToken");
      Objects.requireNonNull(transport, "transport");
    }

    @Override
    public String type() {
      return "session_start";
    }

    /** Redacts the resume token: it is a secret. */
    @Override
    public String toString() {
      return "SessionStart[sessionId=" + sessionId + ", protocolVersion=" + protocolVersion
          + ", resumeToken=" + (resumeToken.isPresent() ? "<redacted>" : "<none>")
          + ", transport=" + transport.wireName() + "]";
    }
  }

  /**
   * {@code session_resumed}: this connection now carries the session a {@code resume} named.
   *
   * @param nextSequence the sequence of the next audio frame
   * @param accepted texts the session accepted in all; re-send those sent after them
   * @param paused whether the session is paused
   * @param pending utterances not yet finished
   */
  record SessionResumed(String sessionId, long nextSequence, long accepted, boolean paused,
      long pending, long receivedNanos) implements ServerEvent {
    public SessionResumed {
      Objects.requireNonNull(sessionId, "sessionId");
    }

    @Override
    public String type() {
      return "session_resumed";
    }
  }

  /**
   * One 20 ms audio frame, from a JSON {@code audio} message or a binary frame.
   *
   * @param pcm exactly one frame of PCM s16le mono (1 920 bytes); the array is not copied
   * @param binary whether it arrived as a binary WebSocket frame
   */
  record Audio(byte[] pcm, long sequence, int sampleRate, int frameMs, boolean binary,
      long receivedNanos) implements ServerEvent {
    public Audio {
      Objects.requireNonNull(pcm, "pcm");
    }

    @Override
    public String type() {
      return "audio";
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Audio a && Arrays.equals(pcm, a.pcm) && sequence == a.sequence
          && sampleRate == a.sampleRate && frameMs == a.frameMs && binary == a.binary
          && receivedNanos == a.receivedNanos;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(pcm), sequence, sampleRate, frameMs, binary,
          receivedNanos);
    }

    /** Shows the PCM's length, not its bytes. */
    @Override
    public String toString() {
      return "Audio[sequence=" + sequence + ", pcm=" + pcm.length + " bytes, sampleRate="
          + sampleRate + ", frameMs=" + frameMs + ", binary=" + binary + "]";
    }
  }

  /** {@code utterance_start} (version 2): the first frame of utterance {@code id} follows. */
  record UtteranceStart(String id, long receivedNanos) implements ServerEvent {
    public UtteranceStart {
      Objects.requireNonNull(id, "id");
    }

    @Override
    public String type() {
      return "utterance_start";
    }
  }

  /**
   * {@code utterance_end} (version 2): no frame of utterance {@code id} follows.
   *
   * @param frames how many audio frames of the utterance were sent
   * @param reason {@code completed}, {@code stopped} or {@code failed} (see
   *     {@link io.voicegateway.gateway.protocol.UtteranceEndReason})
   */
  record UtteranceEnd(String id, long frames, String reason, long receivedNanos)
      implements ServerEvent {
    public UtteranceEnd {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String type() {
      return "utterance_end";
    }
  }

  /** {@code paused} (version 2): answer to PAUSE. */
  record Paused(long receivedNanos) implements ServerEvent {
    @Override
    public String type() {
      return "paused";
    }
  }

  /** {@code resumed} (version 2): answer to RESUME. */
  record Resumed(long receivedNanos) implements ServerEvent {
    @Override
    public String type() {
      return "resumed";
    }
  }

  /** {@code clear} (version 2): drop all buffered audio (sent on STOP). */
  record Clear(long receivedNanos) implements ServerEvent {
    @Override
    public String type() {
      return "clear";
    }
  }

  /** {@code worker_changed} (version 2): another TTS worker took over utterance {@code id}. */
  record WorkerChanged(String id, String reason, long receivedNanos) implements ServerEvent {
    public WorkerChanged {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String type() {
      return "worker_changed";
    }
  }

  /**
   * {@code error}: something the client sent or asked for failed.
   *
   * @param code the wire code as sent, possibly one this client does not know
   */
  record Error(String code, String message, long receivedNanos) implements ServerEvent {
    public Error {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String type() {
      return "error";
    }

    /** The code as an {@link ErrorCode}; an unknown code counts as INTERNAL_ERROR (PROTOCOL.md). */
    public ErrorCode errorCode() {
      for (ErrorCode known : ErrorCode.values()) {
        if (known.wireName().equals(code)) {
          return known;
        }
      }
      return ErrorCode.INTERNAL_ERROR;
    }
  }

  /**
   * {@code session_end}: the session is over and the gateway closes the connection.
   *
   * @param reason the wire reason as sent (see
   *     {@link io.voicegateway.gateway.protocol.SessionEndReason}); an unknown one is a normal end
   */
  record SessionEnd(String sessionId, String reason, boolean resumable, long receivedNanos)
      implements ServerEvent {
    public SessionEnd {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(reason, "reason");
    }

    public SessionEnd(String sessionId, String reason, long receivedNanos) {
      this(sessionId, reason, false, receivedNanos);
    }

    @Override
    public String type() {
      return "session_end";
    }
  }

  /**
   * A well-formed message of a type this client does not know; the protocol says to ignore it.
   *
   * @param rawJson the message exactly as received
   */
  record Unknown(String type, String rawJson, long receivedNanos) implements ServerEvent {
    public Unknown {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(rawJson, "rawJson");
    }
  }
}
