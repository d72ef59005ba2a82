package io.voicegateway.session;

/**
 * Marker for messages that may cross cluster nodes; bound to {@code jackson-cbor} in the
 * serialization config. Node-local protocols (audio, gRPC stream plumbing) do not use it: audio
 * stays on one node (DESIGN.md, cluster rules).
 */
public interface CborSerializable {}
