package io.voicegateway.gateway.protocol;

/**
 * What {@link ClientMessageParser} returns: either a valid {@link ClientMessage} or a
 * {@link ProtocolError} to send back to the client. Test with {@code instanceof}.
 */
public sealed interface ParseResult permits ClientMessage, ProtocolError {}
