package io.voicegateway.session;

/**
 * What an operator may see of one session ({@link SessionEntity.GetInfo}): its state, worker,
 * queue, timers and counters. It never holds the resume token, the texts or any other secret or
 * content, so it may be shown as is by the management API. May cross nodes (CBOR).
 *
 * @param sessionId the id the client knows
 * @param entityId this incarnation's sharding entity id ({@link SessionEntityId})
 * @param epoch the incarnation: 1, then one more per resume
 * @param state {@code idle}, {@code speaking}, {@code paused}, {@code waiting_for_worker},
 *     {@code closing}, or {@code ended} (it ended between being listed and being asked) (a session whose connection broke is not listed: its incarnation ends and
 *     its record waits in Redis for a resume)
 * @param worker the worker the session speaks through, or null when it has no stream
 * @param startedAtEpochMillis when the session (its first incarnation) started, wall clock
 * @param ageMillis how long ago that was
 * @param queued utterances waiting behind the current one
 * @param currentUtterance the id of the utterance being spoken, or null
 * @param idleTimeoutInMillis time left before the idle timeout, or -1 when it cannot run out now
 * @param maxDurationInMillis time left before the maximum duration
 * @param messages Say and Control messages counted toward the limit
 * @param framesSent audio frames sent to the client in this incarnation
 * @param framesDropped frames dropped (STOP, end) in this incarnation
 * @param utterancesCompleted utterances completed in this incarnation
 * @param utterancesStopped utterances stopped in this incarnation
 * @param utterancesFailed utterances failed in this incarnation
 * @param failovers worker changes in this incarnation
 */
public record SessionInfo(
    String sessionId,
    String entityId,
    long epoch,
    String state,
    String worker,
    long startedAtEpochMillis,
    long ageMillis,
    int queued,
    String currentUtterance,
    long idleTimeoutInMillis,
    long maxDurationInMillis,
    int messages,
    long framesSent,
    long framesDropped,
    long utterancesCompleted,
    long utterancesStopped,
    long utterancesFailed,
    long failovers) implements CborSerializable {}
