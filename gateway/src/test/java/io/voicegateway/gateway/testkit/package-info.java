/**
 * Test utilities for the gateway's WebSocket endpoint:
 * {@link io.voicegateway.gateway.testkit.RawWebSocket} sends what a well-behaved WebSocket client
 * cannot (invalid UTF-8, arbitrary opcodes, huge or fragmented frames) and shows the server's
 * answer down to the close code.
 */
package io.voicegateway.gateway.testkit;
