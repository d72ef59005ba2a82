package io.voicegateway.session;
