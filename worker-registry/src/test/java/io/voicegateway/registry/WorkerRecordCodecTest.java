package io.voicegateway.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkerRecordCodecTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> WIRE_FIELDS =
      Set.of("name", "addr", "capabilities", "resident_models", "metrics", "last_heartbeat_ts");
  private static final Set<String> WIRE_CAPABILITIES =
      Set.of("streaming", "zero_shot", "lora", "cpu_ok", "languages", "emotive_zero_prompt");

  private final WorkerRecord record =
      new WorkerRecord(
          "tts-a",
          "grpc://10.0.0.5:7001",
          new WorkerCapabilities(true, false, true, true, List.of("en", "fr"), false),
          List.of("mock-440hz"),
          Map.of("rtf", 0.25, "queue_depth", 2.0),
          1_700_000_000.125);

  private static Set<String> keys(JsonNode n) {
    Set<String> s = new HashSet<>();
    n.fieldNames().forEachRemaining(s::add);
    return s;
  }

  @Test
  void writesExactlyTheWireFields() throws Exception {
    JsonNode json = MAPPER.readTree(WorkerRecordCodec.toJson(record));
    assertEquals(WIRE_FIELDS, keys(json));
    assertEquals(WIRE_CAPABILITIES, keys(json.get("capabilities")));
    assertEquals("grpc://10.0.0.5:7001", json.get("addr").textValue());
    assertTrue(json.get("last_heartbeat_ts").isFloatingPointNumber());
    assertEquals(1_700_000_000.125, json.get("last_heartbeat_ts").doubleValue());
    assertEquals(2.0, json.get("metrics").get("queue_depth").doubleValue());
    assertTrue(json.get("capabilities").get("zero_shot").isBoolean());
  }

  @Test
  void roundTripsARecord() {
    var parsed = (WorkerRecordCodec.Parsed) WorkerRecordCodec.parse("worker:tts-a",
        WorkerRecordCodec.toJson(record));
    assertEquals(record, parsed.record());
    assertEquals(List.of(), parsed.unknownKeys());
  }

  @Test
  void toleratesAndReportsUnknownTopLevelKeys() {
    String json = "{\"name\":\"a\",\"addr\":\"grpc://h:1\",\"version\":3,\"zone\":\"eu\"}";
    var parsed = assertInstanceOf(WorkerRecordCodec.Parsed.class,
        WorkerRecordCodec.parse("worker:a", json));
    assertEquals(Set.of("version", "zone"), Set.copyOf(parsed.unknownKeys()));
  }

  @Test
  void defaultsMissingOptionalFields() {
    var parsed = assertInstanceOf(WorkerRecordCodec.Parsed.class,
        WorkerRecordCodec.parse("worker:a", "{\"name\":\"a\",\"addr\":\"h:1\"}"));
    WorkerRecord r = parsed.record();
    assertEquals(WorkerCapabilities.NONE, r.capabilities());
    assertEquals(List.of(), r.residentModels());
    assertEquals(0.0, r.queueDepth());
    assertEquals(Double.POSITIVE_INFINITY, r.rtf());
    assertEquals(0.0, r.lastHeartbeatTs());
  }

  @Test
  void rejectsMissingName() {
    assertRejectedNaming("name", "{\"addr\":\"grpc://h:1\"}");
  }

  @Test
  void rejectsEmptyName() {
    assertRejectedNaming("name", "{\"name\":\"\",\"addr\":\"grpc://h:1\"}");
  }

  @Test
  void rejectsMissingAddr() {
    assertRejectedNaming("addr", "{\"name\":\"a\"}");
  }

  @Test
  void rejectsAddrWithoutPort() {
    assertRejectedNaming("addr", "{\"name\":\"a\",\"addr\":\"grpc://h\"}");
  }

  @Test
  void rejectsBadJson() {
    assertRejectedNaming("bad JSON", "{\"name\":");
  }

  @Test
  void rejectsNonObject() {
    assertRejectedNaming("not a JSON object", "[1,2]");
  }

  @Test
  void rejectsWrongTypeNamingTheField() {
    assertRejectedNaming("capabilities.streaming",
        "{\"name\":\"a\",\"addr\":\"h:1\",\"capabilities\":{\"streaming\":\"yes\"}}");
    assertRejectedNaming("metrics.rtf",
        "{\"name\":\"a\",\"addr\":\"h:1\",\"metrics\":{\"rtf\":\"fast\"}}");
    assertRejectedNaming("last_heartbeat_ts",
        "{\"name\":\"a\",\"addr\":\"h:1\",\"last_heartbeat_ts\":\"now\"}");
  }

  @Test
  void dialTargetStripsTheGrpcScheme() {
    assertEquals("10.0.0.5:7001", record.dialTarget());
    assertEquals("10.0.0.5", record.dialHost());
    assertEquals(7001, record.dialPort());
    assertEquals("[::1]:7001", WorkerRecord.parseAddr("grpc://[::1]:7001").authority());
    assertEquals("h:9", WorkerRecord.parseAddr("h:9").authority());
  }

  private static void assertRejectedNaming(String what, String json) {
    var rejected = assertInstanceOf(WorkerRecordCodec.Rejected.class,
        WorkerRecordCodec.parse("worker:x", json));
    assertTrue(rejected.reason().contains(what), rejected.reason());
    assertEquals("worker:x", rejected.key());
  }
}
