// Imported before @livekit/rtc-node. Its pino logger reads NODE_ENV when it is created and logs at
// debug level to stdout unless NODE_ENV is "production"; info is enough for a sidecar.
process.env.NODE_ENV ??= 'production';
