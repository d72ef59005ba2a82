/**
 * A client of the gateway's WebSocket protocol (WIRE.md §4 and docs/PROTOCOL.md) on the JDK's
 * {@link java.net.http.HttpClient}: {@link io.voicegateway.gateway.client.GatewayClient} with its
 * {@link io.voicegateway.gateway.client.ServerEvent}s, for end-to-end and load tests; the
 * {@code voicegw say} command ({@link io.voicegateway.gateway.client.SayCommand}); and
 * {@link io.voicegateway.gateway.client.WavFile} to keep what was heard.
 */
package io.voicegateway.gateway.client;
