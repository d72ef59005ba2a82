package io.voicegateway.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.voicegateway.worker.engine.ToneEngine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Sessions whose client went away without EndSession (a gateway killed with -9) are ended once
 * idle, and only then: a session with a synthesis running, or used recently, stays.
 */
class WorkerSessionsTest {

  private static final long IDLE = TimeUnit.MILLISECONDS.toNanos(200);

  private static final WorkerSession.Synthesis NOTHING = new WorkerSession.Synthesis() {
    @Override
    public void pause() {}

    @Override
    public void resume() {}

    @Override
    public void stop() {}
  };

  @Test
  void anIdleSessionIsReapedAndFreesItsPlaceButABusyOrRecentlyUsedOneStays() throws Exception {
    WorkerSessions sessions = new WorkerSessions(3);
    ToneEngine tone = new ToneEngine();
    sessions.start("orphan", tone);
    sessions.start("speaking", tone);
    sessions.start("used", tone);
    sessions.find("speaking").orElseThrow().attach(NOTHING);
    assertEquals(WorkerSessions.StartResult.AT_CAPACITY, sessions.start("new", tone));

    assertEquals(List.of(), sessions.reapIdle(IDLE), "nothing is idle yet");
    Thread.sleep(150);
    sessions.find("used"); // a call for it
    Thread.sleep(150);

    assertEquals(List.of("orphan"), sessions.reapIdle(IDLE));
    assertTrue(sessions.find("orphan").isEmpty());
    assertEquals(2, sessions.count());
    assertEquals(WorkerSessions.StartResult.STARTED, sessions.start("new", tone),
        "the orphan's place is free again");
  }
}
