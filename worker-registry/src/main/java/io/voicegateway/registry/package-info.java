/**
 * Worker registration in Redis (WIRE.md §3): the worker-side {@link io.voicegateway.registry.WorkerRegistrar},
 * the gateway-side {@link io.voicegateway.registry.RegistryMirror} with its lock-free
 * {@link io.voicegateway.registry.WorkerDirectory}, and {@link io.voicegateway.registry.WorkerSelector}.
 */
package io.voicegateway.registry;
