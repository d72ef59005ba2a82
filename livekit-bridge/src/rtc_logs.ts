// Imported before @livekit/rtc-node, whose pino logger is made when that package loads.
// - It logs at debug level unless NODE_ENV is "production"; info is enough for a sidecar.
// - It writes to stdout; pino writes through process.stdout.write when that has been replaced,
//   so pointing it at stderr puts every log line of this process on stderr.
process.env.NODE_ENV ??= 'production';
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
