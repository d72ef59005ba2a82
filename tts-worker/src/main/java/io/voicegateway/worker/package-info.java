package io.voicegateway.worker;
