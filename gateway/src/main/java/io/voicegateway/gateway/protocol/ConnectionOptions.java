package io.voicegateway.gateway.protocol;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * What a client chose in the query string of its WebSocket URL, e.g.
 * {@code ws://host:8080/?audio=binary&input_rate=16000}: {@code audio} ({@code json}, the
 * default, or {@code binary}) for the agent's audio, {@code input_rate} for the user's
 * ({@link InputAudioFormat}). Other parameters are ignored so that URLs may carry more.
 */
public record ConnectionOptions(AudioTransport audioTransport, InputAudioFormat input) {

  public static final String AUDIO_PARAMETER = "audio";
  public static final String INPUT_RATE_PARAMETER = "input_rate";
  /** No query string: what every existing client gets. */
  public static final ConnectionOptions DEFAULT = new ConnectionOptions(AudioTransport.JSON);

  public ConnectionOptions {
    Objects.requireNonNull(audioTransport, "audioTransport");
    Objects.requireNonNull(input, "input");
  }

  public ConnectionOptions(AudioTransport audioTransport) {
    this(audioTransport, InputAudioFormat.DEFAULT);
  }

  /**
   * Reads the raw (still percent-encoded) query string of the upgrade request.
   *
   * @throws IllegalArgumentException naming the parameter and the accepted values; the connector
   *     refuses the upgrade with HTTP 400 and this message
   */
  public static ConnectionOptions fromRawQuery(Optional<String> rawQuery) {
    if (rawQuery.isEmpty() || rawQuery.get().isEmpty()) {
      return DEFAULT;
    }
    AudioTransport transport = null;
    InputAudioFormat input = null;
    for (String pair : rawQuery.get().split("&")) {
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq));
      if (INPUT_RATE_PARAMETER.equals(name)) {
        InputAudioFormat chosen = inputRate(eq < 0 ? "" : decode(pair.substring(eq + 1)));
        if (input != null && !input.equals(chosen)) {
          throw new IllegalArgumentException(
              "query parameter input_rate is given twice with different values");
        }
        input = chosen;
        continue;
      }
      if (!AUDIO_PARAMETER.equals(name)) {
        continue;
      }
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      AudioTransport chosen = switch (value) {
        case "json" -> AudioTransport.JSON;
        case "binary" -> AudioTransport.BINARY;
        default -> throw new IllegalArgumentException("query parameter audio must be json or"
            + " binary, got \"" + Texts.excerpt(value) + "\"");
      };
      if (transport != null && transport != chosen) {
        throw new IllegalArgumentException(
            "query parameter audio is given twice with different values");
      }
      transport = chosen;
    }
    return new ConnectionOptions(transport == null ? AudioTransport.JSON : transport,
        input == null ? InputAudioFormat.DEFAULT : input);
  }

  private static InputAudioFormat inputRate(String value) {
    int rate;
    try {
      rate = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("query parameter input_rate must be a sample rate in Hz,"
          + " got \"" + Texts.excerpt(value) + "\"");
    }
    if (!InputAudioFormat.isSupported(rate)) {
      throw new IllegalArgumentException("query parameter input_rate: "
          + InputAudioFormat.unsupported(rate));
    }
    return new InputAudioFormat(rate);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "query string is not validly percent-encoded: " + e.getMessage(), e);
    }
  }
}
