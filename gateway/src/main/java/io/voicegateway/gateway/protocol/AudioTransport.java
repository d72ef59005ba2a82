package io.voicegateway.gateway.protocol;

/** How audio frames travel to the client; chosen at connect time with {@code ?audio=…}. */
public enum AudioTransport {
  /** WIRE.md §4 {@code audio} text messages with base64 PCM: the default, what old clients get. */
  JSON("json"),
  /** Binary WebSocket frames in the layout of {@link BinaryAudioFrame} (additive). */
  BINARY("binary");

  private final String wireName;

  AudioTransport(String wireName) {
    this.wireName = wireName;
  }

  /** The value in the {@code audio} query parameter and in {@code session_start.audio.transport}. */
  public String wireName() {
    return wireName;
  }
}
