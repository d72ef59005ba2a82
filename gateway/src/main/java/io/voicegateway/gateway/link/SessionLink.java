package io.voicegateway.gateway.link;

import io.voicegateway.gateway.health.GatewayMetrics;
import io.voicegateway.gateway.protocol.ClientMessage;
import io.voicegateway.gateway.protocol.ErrorCode;
import io.voicegateway.gateway.protocol.InputAudioFormat;
import io.voicegateway.gateway.protocol.ParseResult;
import io.voicegateway.gateway.protocol.ProtocolError;
import io.voicegateway.gateway.protocol.ProtocolLimits;
import io.voicegateway.gateway.protocol.RateLimiter;
import io.voicegateway.gateway.protocol.ServerMessages;
import io.voicegateway.gateway.protocol.TextAssembler;
import io.voicegateway.gateway.protocol.UtteranceEndReason;
import io.voicegateway.session.SessionEntity;
import io.voicegateway.session.SessionEntity.ClientEvent;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.slf4j.Logger;

/**
 * What a connector does for its session whatever the transport (DESIGN.md: one session link for
 * both transports): the client's messages become session commands, the session's events become
 * docs/PROTOCOL.md messages. Each connector keeps only its transport: the WebSocket's streams, or
 * the LiveKit room through the bridge, and the events whose handling is the transport's own
 * (audio out, session start and end).
 *
 * <ul>
 *   <li><b>Routing.</b> The first command goes through sharding; once the entity answered (its
 *       {@code SessionStarted} or {@code SessionResumed} carries its own ref, on this node), every
 *       later one goes to it directly.
 *   <li><b>Message rate.</b> Every message but audio passes the per-session {@link RateLimiter}.
 *       A rejected one is dropped; the client gets one {@code RATE_LIMITED} at once and then at
 *       most one per {@code rate-limited-reply-interval}, which counts what was dropped meanwhile
 *       (a flood is not answered by a flood).
 *   <li><b>The user's audio</b> is checked against the connection's {@link InputAudioFormat}
 *       ({@code INVALID_AUDIO} names the problem) and against real time: it may run at most
 *       {@code max-audio-ahead} ahead, beyond which frames are dropped and answered like a
 *       message flood. It never counts as a message (rate, {@code max-messages}).
 * </ul>
 *
 * <p>Not thread-safe: the connector's actor owns it and calls it on its own thread.
 */
public final class SessionLink {

  /** What the link needs from its connector's transport. */
  public interface Transport {

    /** Sends one JSON message to the client (for LiveKit: to the whole room). */
    void send(String json, boolean pausedOrClear);

    /** Sends an error to the client ({@code to}: a LiveKit participant, "" for everyone). */
    void sendError(String to, ErrorCode code, String message);

    /** Asks for {@link #onRateLimitedReplyDue()} after {@code delay}. */
    void scheduleRateLimitedReply(Duration delay);
  }

  private final Transport transport;
  private final GatewayMetrics metrics;
  private final Duration rateLimitedReplyInterval;
  private final RateLimiter rateLimiter;
  private final TextAssembler texts;
  private final Logger log;

  private EntityRef<SessionEntity.Command> region; // the first Attach/Resume go through sharding
  private ActorRef<SessionEntity.Command> entity; // then the incarnation itself

  private long rateLimitedDropped; // messages
  private long audioDropped; // audio frames beyond real time
  private String rateLimitedReplyTo = "";
  private boolean rateLimitedReplyDue = true;
  private long bargeInStartedAt; // nanoTime of a PAUSE/STOP not yet answered, 0: none

  private InputAudioFormat input;
  private boolean bargeIn;
  private final long maxAheadNanos;
  private long audioCredit; // nanoseconds of audio the client may still send ahead of real time
  private long audioCreditAt; // when audioCredit was last refilled, 0: no audio yet

  /**
   * @param bargeIn whether sessions start with automatic barge-in (voicegw.session.turn-taking)
   */
  public SessionLink(Transport transport, ProtocolLimits limits, Duration rateLimitedReplyInterval,
      GatewayMetrics metrics, InputAudioFormat input, boolean bargeIn, Duration maxAudioAhead,
      Logger log) {
    this.transport = transport;
    this.metrics = metrics;
    this.rateLimitedReplyInterval = rateLimitedReplyInterval;
    this.rateLimiter = limits.newRateLimiter(System.nanoTime());
    this.texts = new TextAssembler(limits.maxTextLength());
    this.input = input;
    this.bargeIn = bargeIn;
    this.maxAheadNanos = maxAudioAhead.toNanos();
    this.audioCredit = maxAheadNanos;
    this.log = log;
  }

  // ---------------------------------------------------------------- routing

  /** Commands go to this entity through sharding until {@link #entityAnswered}. */
  public void target(EntityRef<SessionEntity.Command> viaSharding) {
    region = viaSharding;
    entity = null;
  }

  /** The entity answered Attach or Resume with its own ref: commands go to it directly. */
  public void entityAnswered(ActorRef<SessionEntity.Command> incarnation) {
    entity = incarnation;
  }

  /** The entity answered a resume: barge-in is what the resumed session had. */
  public void resumed(boolean bargeIn) {
    this.bargeIn = bargeIn;
  }

  public boolean entityKnown() {
    return entity != null;
  }

  /** To the incarnation directly once it answered, else (ending early) through sharding. */
  public void toSession(SessionEntity.Command command) {
    if (entity != null) {
      entity.tell(command);
    } else if (region != null) {
      region.tell(command);
    }
  }

  // ---------------------------------------------------------------- client → session

  /**
   * Applies the message rate to a message read at {@code nowNanos}; false when it was dropped
   * (the client is told as the reply pacing allows). Audio is not counted here.
   *
   * @param from who sent it (a LiveKit participant; "" over WebSocket)
   */
  public boolean admit(ParseResult result, long nowNanos, String from) {
    if (result instanceof ClientMessage.Audio) return true;
    if (rateLimiter.tryAcquire(nowNanos)) return true;
    rateLimitedDropped++;
    rateLimitedReplyTo = from;
    if (rateLimitedReplyDue) replyRateLimited();
    return false;
  }

  /**
   * Handles an admitted message: an error is answered, a text is assembled and spoken, a control
   * act, the user's audio or a {@code listen} goes to the session. {@code resume} is the
   * connector's own business and must not reach this.
   */
  public void handle(ParseResult result, long nowNanos, String from) {
    if (result instanceof ProtocolError error) {
      log.debug("client message refused: {} {}", error.code(), error.message());
      if (error.code() == ErrorCode.INVALID_AUDIO) metrics.inboundAudioDropped();
      transport.sendError(from, error.code(), error.message());
    } else if (result instanceof ClientMessage.Audio audio) {
      onAudio(audio, nowNanos, from);
    } else if (result instanceof ClientMessage.Text text) {
      TextAssembler.Result assembled = texts.add(text);
      if (assembled instanceof TextAssembler.TooLong tooLong) {
        transport.sendError(from, ErrorCode.TEXT_TOO_LONG, tooLong.message());
      } else if (assembled instanceof TextAssembler.Utterance u) {
        toSession(new SessionEntity.Say(u.id(), u.text()));
      }
    } else if (result instanceof ClientMessage.Control control) {
      SessionEntity.Act act = SessionEntity.Act.valueOf(control.command().name());
      if (act != SessionEntity.Act.RESUME && bargeInStartedAt == 0) bargeInStartedAt = nowNanos;
      toSession(new SessionEntity.Control(act));
    } else if (result instanceof ClientMessage.Listen listen) {
      listen.sampleRate().ifPresent(rate -> input = new InputAudioFormat(rate));
      listen.bargeIn().ifPresent(on -> {
        bargeIn = on;
        toSession(new SessionEntity.SetBargeIn(on));
      });
      transport.send(ServerMessages.listening(input, bargeIn), false);
    } else {
      throw new IllegalArgumentException("not a message for the session link: " + result);
    }
  }

  private void onAudio(ClientMessage.Audio audio, long nowNanos, String from) {
    if (audio.sampleRate() != 0 && audio.sampleRate() != input.sampleRate()) {
      metrics.inboundAudioDropped();
      transport.sendError(from, ErrorCode.INVALID_AUDIO, "audio at " + audio.sampleRate()
          + " Hz, but this session hears " + input.sampleRate() + " Hz: send"
          + " {\"type\":\"listen\",\"sample_rate\":" + audio.sampleRate() + "} first");
      return;
    }
    String problem = input.frameProblem(audio.pcm().size());
    if (problem != null) {
      metrics.inboundAudioDropped();
      transport.sendError(from, ErrorCode.INVALID_AUDIO, problem);
      return;
    }
    short[] samples = InputAudioFormat.samples(audio.pcm());
    if (!withinRealTime(samples.length, input.sampleRate(), nowNanos)) {
      metrics.inboundAudioDropped();
      audioDropped++;
      rateLimitedReplyTo = from;
      if (rateLimitedReplyDue) replyRateLimited();
      return;
    }
    heard(samples, input.sampleRate());
  }

  /**
   * Audio from a source that is its own clock (a LiveKit track through the bridge): no format or
   * flood checks, straight to the session.
   */
  public void heard(short[] samples, int sampleRate) {
    metrics.inboundAudioFrame();
    toSession(new SessionEntity.UserAudio(samples, sampleRate));
  }

  /** A token bucket in nanoseconds of audio: real time refills it, up to max-audio-ahead. */
  private boolean withinRealTime(int samples, int rate, long nowNanos) {
    if (audioCreditAt != 0) {
      audioCredit = Math.min(maxAheadNanos, audioCredit + (nowNanos - audioCreditAt));
    }
    audioCreditAt = nowNanos;
    long duration = samples * 1_000_000_000L / rate;
    if (duration > audioCredit) return false;
    audioCredit -= duration;
    return true;
  }

  private void replyRateLimited() {
    String message = "";
    if (rateLimitedDropped > 0) {
      ProtocolError rejection = rateLimiter.rejection();
      message = rateLimitedDropped == 1 ? rejection.message()
          : rejection.message() + " (" + rateLimitedDropped + " messages dropped since the last"
              + " RATE_LIMITED error)";
    }
    if (audioDropped > 0) {
      message += (message.isEmpty() ? "" : "; ") + "audio faster than real time: "
          + audioDropped + " frame(s) dropped (audio may run at most "
          + maxAheadNanos / 1_000_000 + " ms ahead of real time)";
    }
    rateLimitedDropped = 0;
    audioDropped = 0;
    transport.sendError(rateLimitedReplyTo, ErrorCode.RATE_LIMITED, message);
    if (!rateLimitedReplyInterval.isZero()) {
      rateLimitedReplyDue = false;
      transport.scheduleRateLimitedReply(rateLimitedReplyInterval);
    }
  }

  /** The reply interval is over: what was dropped meanwhile is reported now, in one error. */
  public void onRateLimitedReplyDue(boolean sessionOver) {
    rateLimitedReplyDue = true;
    if ((rateLimitedDropped > 0 || audioDropped > 0) && !sessionOver) replyRateLimited();
  }

  /**
   * When the client's PAUSE/STOP that is being answered was read (0: none waiting); resets it.
   * The connector asks when the answer took effect on its transport.
   */
  public long takeBargeInStart() {
    long started = bargeInStartedAt;
    bargeInStartedAt = 0;
    return started;
  }

  public InputAudioFormat input() {
    return input;
  }

  public boolean bargeIn() {
    return bargeIn;
  }

  // ---------------------------------------------------------------- session → client

  /**
   * The message for a session event that every transport sends the same way, or null for those
   * a connector handles itself (audio, session start, resume and end) and errors (sent with
   * {@link Transport#sendError}).
   */
  public static String wire(ClientEvent event) {
    if (event instanceof SessionEntity.UtteranceStart s) {
      return ServerMessages.utteranceStart(s.utteranceId());
    } else if (event instanceof SessionEntity.UtteranceEnd e) {
      return ServerMessages.utteranceEnd(e.utteranceId(), e.frames(),
          UtteranceEndReason.fromWireName(e.reason()));
    } else if (event instanceof SessionEntity.Paused) {
      return ServerMessages.paused();
    } else if (event instanceof SessionEntity.Resumed) {
      return ServerMessages.resumed();
    } else if (event instanceof SessionEntity.Clear) {
      return ServerMessages.clear();
    } else if (event instanceof SessionEntity.WorkerChanged w) {
      return ServerMessages.workerChanged(w.utteranceId(), w.reason());
    } else if (event instanceof SessionEntity.SpeechStarted s) {
      return ServerMessages.speechStarted(s.onsetMs(), s.heardMs());
    } else if (event instanceof SessionEntity.SpeechStopped s) {
      return ServerMessages.speechStopped(s.endMs(), s.speechMs());
    } else if (event instanceof SessionEntity.UserTurnEnd t) {
      return ServerMessages.userTurnEnd(t.speechMs(), t.silenceMs());
    } else if (event instanceof SessionEntity.InterruptionStarted i) {
      return ServerMessages.interruption("interruption_started", i.utteranceId(),
          i.framesPlayed());
    } else if (event instanceof SessionEntity.InterruptionConfirmed i) {
      return ServerMessages.interruption("interruption_confirmed", i.utteranceId(),
          i.framesPlayed());
    } else if (event instanceof SessionEntity.FalseInterruption i) {
      return ServerMessages.interruption("false_interruption", i.utteranceId(),
          i.framesPlayed());
    }
    return null;
  }

  /** Sends {@code event} if it is an error or one {@link #wire} maps; others are ignored. */
  public void relay(ClientEvent event) {
    if (event instanceof SessionEntity.Error e) {
      transport.sendError("", ErrorCode.fromSessionCode(e.code()), e.message());
      return;
    }
    String json = wire(event);
    if (json != null) {
      transport.send(json,
          event instanceof SessionEntity.Paused || event instanceof SessionEntity.Clear);
    }
  }
}
