package io.voicegateway.gateway.cluster;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonCborSerializer;

/**
 * Pekko's Jackson CBOR serializer, counting what it serializes: bound in tests to
 * {@code io.voicegateway.session.CborSerializable} instead of {@code jackson-cbor}, it sees every
 * project message that crosses between nodes (messages are serialized only to leave their node).
 * Counts are per JVM: the test's nodes run in one.
 */
public final class CountingCborSerializer extends SerializerWithStringManifest {

  private static final Map<String, LongAdder> MESSAGES = new ConcurrentHashMap<>();
  private static final LongAdder BYTES = new LongAdder();

  private final JacksonCborSerializer delegate;

  public CountingCborSerializer(ExtendedActorSystem system) {
    this.delegate = new JacksonCborSerializer(system, "jackson-cbor");
  }

  /** Serialized messages so far, by simple class name. */
  public static Map<String, Long> messages() {
    Map<String, Long> copy = new TreeMap<>();
    MESSAGES.forEach((k, v) -> copy.put(k, v.sum()));
    return copy;
  }

  /** Bytes serialized so far. */
  public static long bytes() {
    return BYTES.sum();
  }

  @Override
  public int identifier() {
    return 917_301;
  }

  @Override
  public String manifest(Object o) {
    return delegate.manifest(o);
  }

  @Override
  public byte[] toBinary(Object o) {
    byte[] bytes = delegate.toBinary(o);
    MESSAGES.computeIfAbsent(o.getClass().getSimpleName(), k -> new LongAdder()).increment();
    BYTES.add(bytes.length);
    return bytes;
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) {
    return delegate.fromBinary(bytes, manifest);
  }
}
