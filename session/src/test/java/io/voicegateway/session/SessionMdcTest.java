package io.voicegateway.session;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every log line of an actor under {@link SessionMdc} carries its session id, and no other does. */
class SessionMdcTest {

  private static final String LOGGER = "session-mdc-test";
  // one thread, so that the unwrapped actor runs where the wrapped ones just ran
  private static final DispatcherSelector ONE_THREAD = DispatcherSelector.fromConfig("one-thread");

  private static ActorTestKit testKit;
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create(ConfigFactory.parseString("""
        one-thread {
          type = Dispatcher
          executor = thread-pool-executor
          thread-pool-executor.fixed-pool-size = 1
          throughput = 1
        }""").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void capture() {
    events.start();
    ((Logger) LoggerFactory.getLogger(LOGGER)).addAppender(events);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger(LOGGER)).detachAppender(events);
  }

  private static Behavior<String> logging() {
    return Behaviors.receive(String.class)
        .onMessage(String.class, text -> {
          LoggerFactory.getLogger(LOGGER).info(text);
          return text.equals("stop") ? Behaviors.stopped() : Behaviors.same();
        })
        .onSignal(PostStop.class, s -> {
          LoggerFactory.getLogger(LOGGER).info("stopped");
          return Behaviors.same();
        })
        .build();
  }

  private List<ILoggingEvent> logged(int n) {
    await().atMost(Duration.ofSeconds(5)).until(() -> events.list.size() >= n);
    return List.copyOf(events.list);
  }

  @Test
  void messagesAndSignalsCarryTheSessionIdAndUnwrappedActorsDoNot() {
    ActorRef<String> wrapped = testKit.spawn(
        SessionMdc.around(String.class, "s-42", logging()), "wrapped", ONE_THREAD);
    ActorRef<String> plain = testKit.spawn(logging(), "plain", ONE_THREAD);

    wrapped.tell("one");
    logged(1);
    plain.tell("two");
    logged(2);
    wrapped.tell("stop");
    List<ILoggingEvent> all = logged(4);

    assertEquals("one", all.get(0).getMessage());
    assertEquals("s-42", all.get(0).getMDCPropertyMap().get(SessionMdc.KEY));
    assertEquals("two", all.get(1).getMessage());
    assertFalse(all.get(1).getMDCPropertyMap().containsKey(SessionMdc.KEY),
        "the id leaked into another actor's line: " + all.get(1).getMDCPropertyMap());
    assertEquals("stop", all.get(2).getMessage());
    assertEquals("stopped", all.get(3).getMessage());
    assertEquals("s-42", all.get(3).getMDCPropertyMap().get(SessionMdc.KEY));
  }

  @Test
  void aSuppliedIdIsReadForEachMessage() {
    AtomicReference<String> id = new AtomicReference<>("s-1");
    ActorRef<String> wrapped = testKit.spawn(
        SessionMdc.around(String.class, id::get, logging()), "resuming", ONE_THREAD);

    wrapped.tell("before");
    logged(1);
    id.set("s-resumed");
    wrapped.tell("after");
    List<ILoggingEvent> all = logged(2);

    assertEquals("s-1", all.get(0).getMDCPropertyMap().get(SessionMdc.KEY));
    assertEquals("s-resumed", all.get(1).getMDCPropertyMap().get(SessionMdc.KEY));
  }
}
