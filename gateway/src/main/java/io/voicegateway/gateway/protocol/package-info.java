/**
 * The WebSocket client protocol (WIRE.md §4 plus the additive extensions of docs/PROTOCOL.md):
 * parsing and validating what clients send, rendering what the gateway sends, per-session rate
 * limiting and session identifiers. Nothing here touches sockets or actors.
 */
package io.voicegateway.gateway.protocol;
