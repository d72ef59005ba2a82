package io.voicegateway.worker;

/** {@code ./voicegw worker}: parse the options, start the worker, run until SIGTERM. */
public final class TtsWorkerMain {

  private TtsWorkerMain() {}

  public static void main(String[] args) {
    WorkerCommandLine.Parsed parsed;
    try {
      parsed = WorkerCommandLine.parse(args);
    } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
      System.err.println("voicegw worker: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (parsed.help()) {
      System.out.print(WorkerCommandLine.usage(parsed.config()));
      return;
    }
    try {
      TtsWorker worker = TtsWorker.start(parsed.config()).toCompletableFuture().join();
      System.out.println("tts-worker " + worker.settings().name() + " serving "
          + worker.settings().advertisedAddr() + " (default model " + worker.settings().defaultModel() + ")");
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("voicegw worker: " + cause.getMessage());
      System.exit(1);
    }
  }
}
