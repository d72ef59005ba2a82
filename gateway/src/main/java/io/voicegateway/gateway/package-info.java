package io.voicegateway.gateway;
