package io.voicegateway.gateway.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * Turns one client WebSocket message into a {@link ClientMessage} or a {@link ProtocolError} that
 * names the problem. The size limit is checked before any parsing; JSON is parsed strictly (no
 * comments, no duplicate fields, nothing after the object). Unknown fields are ignored so that
 * clients may send more than this version reads. Thread-safe and stateless.
 */
public final class ClientMessageParser {

  public static final String KNOWN_TYPES = "text, control, resume, audio, listen";
  /** Bytes before the PCM in a binary audio frame from the client (its sequence). */
  public static final int AUDIO_HEADER_BYTES = 8;
  public static final String KNOWN_COMMANDS = "PAUSE, RESUME, STOP";
  /** Longest utterance {@code id} a client may choose, in characters. */
  public static final int MAX_UTTERANCE_ID_LENGTH = 128;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private final ProtocolLimits limits;

  public ClientMessageParser(ProtocolLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  public ProtocolLimits limits() {
    return limits;
  }

  /** A text frame already decoded by Pekko ({@code TextMessage.getStrictText()}). */
  public ParseResult parse(String json) {
    long size = utf8LengthBeyond(json, limits.maxMessageBytes());
    if (size > limits.maxMessageBytes()) {
      return messageTooLarge(size);
    }
    return parseJson(json);
  }

  /**
   * A message as raw UTF-8 bytes (LiveKit data packets, a byte-level frame source): size first,
   * then a strict UTF-8 decode, then {@link #parse(String)}'s rules. Pekko HTTP itself decodes
   * WebSocket text frames and closes the connection with 1007 on invalid UTF-8 (RFC 6455 §8.1).
   */
  public ParseResult parseTextBytes(ByteString utf8) {
    if (utf8.size() > limits.maxMessageBytes()) {
      return messageTooLarge(utf8.size());
    }
    return decodeAndParse(utf8.asByteBuffer(), "text frame");
  }

  /** As {@link #parseTextBytes(ByteString)}. */
  public ParseResult parseTextBytes(byte[] utf8) {
    if (utf8.length > limits.maxMessageBytes()) {
      return messageTooLarge(utf8.length);
    }
    return decodeAndParse(ByteBuffer.wrap(utf8), "text frame");
  }

  /**
   * A binary frame. One that starts with a zero byte is the user's audio on any connection: an
   * 8-byte big-endian sequence (below 2^56, so its first byte is 0) and then the PCM. Otherwise,
   * with {@code ?audio=binary}, a binary frame carries one UTF-8 JSON message starting with '{';
   * without it, other binary frames are refused.
   */
  public ParseResult parseBinary(ByteString frame, AudioTransport negotiated) {
    if (!frame.isEmpty() && frame.apply(0) == 0) return binaryAudio(frame);
    if (negotiated != AudioTransport.BINARY) {
      return ProtocolError.invalid("binary frames are not accepted on this connection: send JSON"
          + " messages as text frames (binary frames are accepted only after connecting with"
          + " ?audio=binary)");
    }
    if (frame.size() > limits.maxMessageBytes()) {
      return messageTooLarge(frame.size());
    }
    if (frame.isEmpty() || frame.apply(0) != '{') {
      return ProtocolError.invalid("binary frame starts with neither '{' nor a zero byte: a"
          + " binary frame from the client holds one UTF-8 JSON object, or audio after an"
          + " 8-byte big-endian sequence below 2^56");
    }
    return decodeAndParse(frame.asByteBuffer(), "binary frame");
  }

  private ParseResult binaryAudio(ByteString frame) {
    if (frame.size() < AUDIO_HEADER_BYTES) {
      return new ProtocolError(ErrorCode.INVALID_AUDIO, "binary audio frame of " + frame.size()
          + " bytes is shorter than its " + AUDIO_HEADER_BYTES + "-byte sequence header");
    }
    if (frame.size() > AUDIO_HEADER_BYTES + InputAudioFormat.MAX_FRAME_BYTES) {
      return new ProtocolError(ErrorCode.INVALID_AUDIO, "binary audio frame of " + frame.size()
          + " bytes is larger than any allowed frame (" + InputAudioFormat.MAX_FRAME_MS
          + " ms at 48 kHz: " + InputAudioFormat.MAX_FRAME_BYTES + " bytes after the header)");
    }
    return new ClientMessage.Audio(frame.drop(AUDIO_HEADER_BYTES), 0);
  }

  /** As {@link #parseBinary(ByteString, AudioTransport)}. */
  public ParseResult parseBinary(byte[] frame, AudioTransport negotiated) {
    return parseBinary(ByteString.fromArrayUnsafe(frame), negotiated);
  }

  /**
   * The MESSAGE_TOO_LARGE error, also for a connector that stops collecting a streamed message as
   * soon as it passes the limit.
   *
   * @param observedBytes the size seen so far (a lower bound is fine)
   */
  public ProtocolError messageTooLarge(long observedBytes) {
    return new ProtocolError(ErrorCode.MESSAGE_TOO_LARGE, "message too large: at least "
        + observedBytes + " bytes, the limit is " + limits.maxMessageBytes()
        + " bytes; it was not read");
  }

  private ParseResult decodeAndParse(ByteBuffer bytes, String what) {
    int start = bytes.position();
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars = CharBuffer.allocate(bytes.remaining()); // UTF-16 units <= UTF-8 bytes
    CoderResult result = decoder.decode(bytes, chars, true);
    if (!result.isError()) {
      result = decoder.flush(chars);
    }
    if (result.isError()) {
      String problem = result.isMalformed() ? "malformed" : "unmappable";
      return ProtocolError.invalid(what + " is not valid UTF-8: " + problem
          + " byte sequence of length " + result.length()
          + " at byte offset " + (bytes.position() - start));
    }
    return parseJson(chars.flip().toString());
  }

  private ParseResult parseJson(String json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      return ProtocolError.invalid("invalid JSON" + position(e.getLocation()) + ": "
          + e.getOriginalMessage());
    }
    if (root == null || root.isMissingNode()) {
      return ProtocolError.invalid("empty message: expected a JSON object with a \"type\" field");
    }
    if (!root.isObject()) {
      return ProtocolError.invalid("expected a JSON object, got " + kind(root));
    }
    JsonNode type = root.get("type");
    if (type == null) {
      return ProtocolError.invalid("missing field \"type\"; known types: " + KNOWN_TYPES);
    }
    if (!type.isTextual()) {
      return ProtocolError.invalid("field \"type\" must be a string, got " + kind(type)
          + "; known types: " + KNOWN_TYPES);
    }
    return switch (type.textValue()) {
      case "text" -> text(root);
      case "control" -> control(root);
      case "resume" -> resume(root);
      case "audio" -> audio(root);
      case "listen" -> listen(root);
      default -> ProtocolError.invalid("unknown type \"" + Texts.excerpt(type.textValue())
          + "\"; known types: " + KNOWN_TYPES);
    };
  }

  private ParseResult text(JsonNode root) {
    JsonNode textNode = root.get("text");
    if (textNode == null) {
      return ProtocolError.invalid("missing field \"text\" of a text message");
    }
    if (!textNode.isTextual()) {
      return ProtocolError.invalid("field \"text\" must be a string, got " + kind(textNode));
    }
    String text = textNode.textValue();
    if (text.isEmpty()) {
      return ProtocolError.invalid("field \"text\" is empty: it needs at least one character"
          + " that is not whitespace");
    }
    int length = text.codePointCount(0, text.length());
    if (length > limits.maxTextLength()) {
      return new ProtocolError(ErrorCode.TEXT_TOO_LONG, "field \"text\" is " + length
          + " characters long, the limit is " + limits.maxTextLength() + " characters");
    }
    if (isWhitespace(text)) {
      return ProtocolError.invalid("field \"text\" is only whitespace: it needs at least one"
          + " character that is not whitespace");
    }
    int unpaired = unpairedSurrogate(text);
    if (unpaired >= 0) {
      return ProtocolError.invalid("field \"text\" is not valid Unicode: unpaired surrogate"
          + " (U+D800..U+DFFF) at character index " + unpaired);
    }
    boolean isFinal = true;
    JsonNode finalNode = root.get("is_final");
    if (finalNode != null && !finalNode.isNull()) {
      if (!finalNode.isBoolean()) {
        return ProtocolError.invalid("field \"is_final\" must be true or false, got "
            + kind(finalNode));
      }
      isFinal = finalNode.booleanValue();
    }
    Optional<String> id = Optional.empty();
    JsonNode idNode = root.get("id");
    if (idNode != null && !idNode.isNull()) {
      if (!idNode.isTextual()) {
        return ProtocolError.invalid("field \"id\" must be a string, got " + kind(idNode));
      }
      String value = idNode.textValue();
      if (value.isEmpty() || value.length() > MAX_UTTERANCE_ID_LENGTH) {
        return ProtocolError.invalid("field \"id\" must have 1 to " + MAX_UTTERANCE_ID_LENGTH
            + " characters, got " + value.length());
      }
      if (value.chars().anyMatch(Character::isISOControl)) {
        return ProtocolError.invalid("field \"id\" must not contain control characters");
      }
      id = Optional.of(value);
    }
    return new ClientMessage.Text(text, isFinal, id);
  }

  private static ParseResult control(JsonNode root) {
    JsonNode commandNode = root.get("command");
    if (commandNode == null) {
      return ProtocolError.invalid("missing field \"command\" of a control message; known"
          + " commands: " + KNOWN_COMMANDS);
    }
    if (!commandNode.isTextual()) {
      return ProtocolError.invalid("field \"command\" must be a string, got " + kind(commandNode)
          + "; known commands: " + KNOWN_COMMANDS);
    }
    String command = commandNode.textValue();
    for (ClientMessage.Command known : ClientMessage.Command.values()) {
      if (known.name().equals(command)) {
        return new ClientMessage.Control(known);
      }
    }
    String hint = "";
    for (ClientMessage.Command known : ClientMessage.Command.values()) {
      if (known.name().equalsIgnoreCase(command)) {
        hint = " (commands are upper case)";
      }
    }
    return ProtocolError.invalid("unknown command \"" + Texts.excerpt(command)
        + "\"; known commands: " + KNOWN_COMMANDS + hint);
  }

  private static ParseResult resume(JsonNode root) {
    JsonNode sessionId = root.get("session_id");
    if (sessionId == null) {
      return ProtocolError.invalid("missing field \"session_id\" of a resume message");
    }
    if (!sessionId.isTextual()) {
      return ProtocolError.invalid("field \"session_id\" must be a string, got "
          + kind(sessionId));
    }
    if (!SessionIds.isValidSessionId(sessionId.textValue())) {
      return ProtocolError.invalid("field \"session_id\" is not a session id: expected \"ws-\""
          + " and 12 lowercase hex digits");
    }
    JsonNode token = root.get("resume_token");
    if (token == null) {
      return ProtocolError.invalid("missing field \"resume_token\" of a resume message");
    }
    if (!token.isTextual()) {
      return ProtocolError.invalid("field \"resume_token\" must be a string, got " + kind(token));
    }
    if (!SessionIds.isValidResumeToken(token.textValue())) { // never echo a secret
      return ProtocolError.invalid("field \"resume_token\" is not a well-formed resume token: "
          + "expected the token of the session's session_start");
    }
    JsonNode lastSequence = root.get("last_sequence");
    if (lastSequence == null) {
      return ProtocolError.invalid("missing field \"last_sequence\" of a resume message (0 if no"
          + " audio was received)");
    }
    if (!lastSequence.isIntegralNumber()) {
      return ProtocolError.invalid("field \"last_sequence\" must be an integer, got "
          + kind(lastSequence));
    }
    if (!lastSequence.canConvertToLong() || lastSequence.longValue() < 0) {
      return ProtocolError.invalid("field \"last_sequence\" must be between 0 and "
          + Long.MAX_VALUE + ", got " + Texts.excerpt(lastSequence.asText()));
    }
    return new ClientMessage.Resume(sessionId.textValue(), token.textValue(),
        lastSequence.longValue());
  }

  private static ParseResult audio(JsonNode root) {
    JsonNode pcm = root.get("pcm");
    if (pcm == null) {
      return new ProtocolError(ErrorCode.INVALID_AUDIO, "missing field \"pcm\" of an audio"
          + " message (base64 of 16-bit little-endian mono PCM)");
    }
    if (!pcm.isTextual()) {
      return new ProtocolError(ErrorCode.INVALID_AUDIO, "field \"pcm\" must be a base64"
          + " string, got " + kind(pcm));
    }
    byte[] bytes;
    try {
      bytes = java.util.Base64.getDecoder().decode(pcm.textValue());
    } catch (IllegalArgumentException e) {
      return new ProtocolError(ErrorCode.INVALID_AUDIO, "field \"pcm\" is not base64"
          + " (RFC 4648, standard alphabet with padding): " + e.getMessage());
    }
    int rate = 0;
    JsonNode rateNode = root.get("sample_rate");
    if (rateNode != null && !rateNode.isNull()) {
      if (!rateNode.isIntegralNumber() || !InputAudioFormat.isSupported(rateNode.asInt())
          || !rateNode.canConvertToInt()) {
        return new ProtocolError(ErrorCode.INVALID_AUDIO, "field \"sample_rate\": "
            + (rateNode.isIntegralNumber() ? InputAudioFormat.unsupported(rateNode.asLong())
                : "must be an integer, got " + kind(rateNode)));
      }
      rate = rateNode.asInt();
    }
    return new ClientMessage.Audio(ByteString.fromArrayUnsafe(bytes), rate);
  }

  private static ParseResult listen(JsonNode root) {
    java.util.OptionalInt rate = java.util.OptionalInt.empty();
    JsonNode rateNode = root.get("sample_rate");
    if (rateNode != null && !rateNode.isNull()) {
      if (!rateNode.isIntegralNumber()) {
        return ProtocolError.invalid("field \"sample_rate\" must be an integer, got "
            + kind(rateNode));
      }
      if (!rateNode.canConvertToInt() || !InputAudioFormat.isSupported(rateNode.asInt())) {
        return new ProtocolError(ErrorCode.INVALID_AUDIO, "field \"sample_rate\": "
            + InputAudioFormat.unsupported(rateNode.asLong()));
      }
      rate = java.util.OptionalInt.of(rateNode.asInt());
    }
    Optional<Boolean> bargeIn = Optional.empty();
    JsonNode bargeInNode = root.get("barge_in");
    if (bargeInNode != null && !bargeInNode.isNull()) {
      if (!bargeInNode.isBoolean()) {
        return ProtocolError.invalid("field \"barge_in\" must be true or false, got "
            + kind(bargeInNode));
      }
      bargeIn = Optional.of(bargeInNode.booleanValue());
    }
    return new ClientMessage.Listen(rate, bargeIn);
  }

  /** Index of the first lone UTF-16 surrogate (only possible through JSON \\u escapes), or -1. */
  private static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean isWhitespace(String text) {
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  private static String kind(JsonNode node) {
    if (node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "an array";
    }
    if (node.isTextual()) {
      return "a string";
    }
    if (node.isNumber()) {
      return node.isIntegralNumber() ? "an integer" : "a number";
    }
    if (node.isBoolean()) {
      return "a boolean";
    }
    return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String position(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  /**
   * The UTF-8 length of {@code s} if it is at most {@code limit}, else a number above the limit
   * found without scanning the whole string.
   */
  static long utf8LengthBeyond(String s, int limit) {
    if (s.length() > limit) {
      return s.length(); // every char is at least one byte
    }
    long bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3; // a lone surrogate is counted as the most it could take
      }
    }
    return bytes;
  }
}
