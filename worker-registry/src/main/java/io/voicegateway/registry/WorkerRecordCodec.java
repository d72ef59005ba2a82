package io.voicegateway.registry;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON form of a {@link WorkerRecord} (WIRE.md §3). Writes exactly the wire fields, because the
 * existing orchestrator rejects any other top-level key; reads leniently (unknown keys reported, not
 * fatal; optional fields defaulted) but requires {@code name} and {@code addr}.
 */
public final class WorkerRecordCodec {

  /** The top-level keys of a record, in the order they are written. */
  public static final List<String> FIELDS =
      List.of(
          "name",
          "addr",
          "capabilities",
          "resident_models",
          "metrics",
          "last_heartbeat_ts");

  /** The keys of the {@code capabilities} object, in the order they are written. */
  public static final List<String> CAPABILITY_FIELDS =
      List.of("streaming", "zero_shot", "lora", "cpu_ok", "languages", "emotive_zero_prompt");

  private static final Set<String> KNOWN = Set.copyOf(FIELDS);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory FACTORY = MAPPER.getFactory();

  private WorkerRecordCodec() {}

  /** Outcome of {@link #parse}: a record, or the reason it was refused. */
  public sealed interface ParseResult permits Parsed, Rejected {}

  /** @param unknownKeys top-level keys outside WIRE.md §3, tolerated but worth a log line */
  public record Parsed(WorkerRecord record, List<String> unknownKeys) implements ParseResult {
    public Parsed {
      unknownKeys = List.copyOf(unknownKeys);
    }
  }

  public record Rejected(String key, String reason) implements ParseResult {}

  public static String toJson(WorkerRecord r) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("name", r.name());
      g.writeStringField("addr", r.addr());
      WorkerCapabilities c = r.capabilities();
      g.writeObjectFieldStart("capabilities");
      g.writeBooleanField("streaming", c.streaming());
      g.writeBooleanField("zero_shot", c.zeroShot());
      g.writeBooleanField("lora", c.lora());
      g.writeBooleanField("cpu_ok", c.cpuOk());
      g.writeArrayFieldStart("languages");
      for (String l : c.languages()) {
        g.writeString(l);
      }
      g.writeEndArray();
      g.writeBooleanField("emotive_zero_prompt", c.emotiveZeroPrompt());
      g.writeEndObject();
      g.writeArrayFieldStart("resident_models");
      for (String m : r.residentModels()) {
        g.writeString(m);
      }
      g.writeEndArray();
      g.writeObjectFieldStart("metrics");
      for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
        // NaN and infinities are not JSON numbers; a reader would refuse the whole record
        if (Double.isFinite(m.getValue())) {
          g.writeNumberField(m.getKey(), m.getValue());
        }
      }
      g.writeEndObject();
      g.writeNumberField("last_heartbeat_ts", r.lastHeartbeatTs());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return out.toString();
  }

  /**
   * Reads the value stored under {@code key}. Missing optional fields default to false, empty, or 0
   * for {@code last_heartbeat_ts} (which makes the worker stale, never selected).
   */
  public static ParseResult parse(String key, String json) {
    if (json == null) {
      return new Rejected(key, "no value");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return new Rejected(key, "bad JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      return new Rejected(
          key, "not a JSON object but " + (root == null ? "nothing" : root.getNodeType()));
    }
    try {
      String name = requiredText(root, "name");
      String addr = requiredText(root, "addr");
      try {
        WorkerRecord.parseAddr(addr);
      } catch (IllegalArgumentException e) {
        throw new Refusal("field 'addr' is not grpc://host:port: " + addr);
      }
      WorkerCapabilities caps = capabilities(root.get("capabilities"));
      List<String> models = strings(root.get("resident_models"), "resident_models");
      Map<String, Double> metrics = metrics(root.get("metrics"));
      double ts = 0.0;
      JsonNode tsNode = root.get("last_heartbeat_ts");
      if (tsNode != null && !tsNode.isNull()) {
        if (!tsNode.isNumber()) {
          throw new Refusal("field 'last_heartbeat_ts' must be a number");
        }
        ts = tsNode.asDouble();
      }
      List<String> unknown = new ArrayList<>();
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!KNOWN.contains(f)) {
          unknown.add(f);
        }
      }
      return new Parsed(new WorkerRecord(name, addr, caps, models, metrics, ts), unknown);
    } catch (Refusal r) {
      return new Rejected(key, r.getMessage());
    }
  }

  private static String requiredText(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      throw new Refusal("missing field '" + field + "'");
    }
    if (!n.isTextual()) {
      throw new Refusal("field '" + field + "' must be a string");
    }
    if (n.textValue().isEmpty()) {
      throw new Refusal("field '" + field + "' is empty");
    }
    return n.textValue();
  }

  private static WorkerCapabilities capabilities(JsonNode n) {
    if (n == null || n.isNull()) {
      return WorkerCapabilities.NONE;
    }
    if (!n.isObject()) {
      throw new Refusal("field 'capabilities' must be an object");
    }
    return new WorkerCapabilities(
        bool(n, "streaming"),
        bool(n, "zero_shot"),
        bool(n, "lora"),
        bool(n, "cpu_ok"),
        strings(n.get("languages"), "capabilities.languages"),
        bool(n, "emotive_zero_prompt"));
  }

  private static boolean bool(JsonNode caps, String field) {
    JsonNode n = caps.get(field);
    if (n == null || n.isNull()) {
      return false;
    }
    if (!n.isBoolean()) {
      throw new Refusal("field 'capabilities." + field + "' must be a boolean");
    }
    return n.booleanValue();
  }

  private static List<String> strings(JsonNode n, String field) {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new Refusal("field '" + field + "' must be an array of strings");
    }
    List<String> out = new ArrayList<>(n.size());
    for (JsonNode e : n) {
      if (!e.isTextual()) {
        throw new Refusal("field '" + field + "' must be an array of strings");
      }
      out.add(e.textValue());
    }
    return out;
  }

  private static Map<String, Double> metrics(JsonNode n) {
    if (n == null || n.isNull()) {
      return Map.of();
    }
    if (!n.isObject()) {
      throw new Refusal("field 'metrics' must be an object of numbers");
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isNumber()) {
        throw new Refusal("field 'metrics." + e.getKey() + "' must be a number");
      }
      out.put(e.getKey(), e.getValue().asDouble());
    }
    return out;
  }

  /** Carries a rejection reason out of nested field readers; never escapes this class. */
  private static final class Refusal extends RuntimeException {
    Refusal(String reason) {
      super(reason, null, false, false);
    }
  }
}
