package io.voicegateway.session;

import io.voicegateway.audio.vad.VadRunner;
import io.voicegateway.registry.RegistryMirror;
import io.voicegateway.registry.WorkerSelector;
import io.voicegateway.session.store.SessionStore;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a {@link SessionEntity} needs on the node it runs on. Node-local: never sent anywhere.
 *
 * @param selector picks a worker from this node's directory
 * @param clients this node's shared gRPC clients toward workers
 * @param mirror this node's registry mirror; a session waiting for a worker subscribes to it
 * @param ttsSettings settings of each session's {@link TtsStream}
 * @param settings the session limits, pacing and failover settings
 * @param metrics session metrics ({@link SessionMetrics#NONE} to count nothing)
 * @param ttsMetrics stream metrics ({@link TtsStreamMetrics#NONE} to count nothing)
 * @param store where resumable state is saved ({@link SessionStore#NONE}: nowhere)
 * @param resume the resume window
 * @param turnTaking how sessions hear their users (VAD thresholds, barge-in, turn ends)
 * @param vad the node's voice activity runner, asked for at a session's first audio (its model
 *     loads once per JVM)
 */
public record SessionServices(
    WorkerSelector selector,
    WorkerClients clients,
    ActorRef<RegistryMirror.Command> mirror,
    TtsStreamSettings ttsSettings,
    SessionSettings settings,
    SessionMetrics metrics,
    TtsStreamMetrics ttsMetrics,
    SessionStore store,
    ResumeSettings resume,
    TurnTakingSettings turnTaking,
    Supplier<VadRunner> vad) {

  /** Services with the default turn-taking settings and the JVM's shared VAD runner. */
  public SessionServices(WorkerSelector selector, WorkerClients clients,
      ActorRef<RegistryMirror.Command> mirror, TtsStreamSettings ttsSettings,
      SessionSettings settings, SessionMetrics metrics, TtsStreamMetrics ttsMetrics,
      SessionStore store, ResumeSettings resume) {
    this(selector, clients, mirror, ttsSettings, settings, metrics, ttsMetrics, store, resume,
        null, null);
  }

  /** Services of sessions that cannot be resumed. */
  public SessionServices(WorkerSelector selector, WorkerClients clients,
      ActorRef<RegistryMirror.Command> mirror, TtsStreamSettings ttsSettings,
      SessionSettings settings, SessionMetrics metrics, TtsStreamMetrics ttsMetrics) {
    this(selector, clients, mirror, ttsSettings, settings, metrics, ttsMetrics, SessionStore.NONE,
        ResumeSettings.DISABLED);
  }

  public SessionServices {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(clients, "clients");
    Objects.requireNonNull(mirror, "mirror");
    Objects.requireNonNull(ttsSettings, "ttsSettings");
    Objects.requireNonNull(settings, "settings");
    metrics = metrics == null ? SessionMetrics.NONE : metrics;
    ttsMetrics = ttsMetrics == null ? TtsStreamMetrics.NONE : ttsMetrics;
    store = store == null ? SessionStore.NONE : store;
    resume = resume == null ? ResumeSettings.DISABLED : resume;
    turnTaking = turnTaking == null ? TurnTakingSettings.DEFAULTS : turnTaking;
    vad = vad == null ? VadRunner::shared : vad;
  }
}
