package io.voicegateway.registry;
