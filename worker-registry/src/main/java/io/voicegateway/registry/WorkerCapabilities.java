package io.voicegateway.registry;

import java.util.List;

/** The {@code capabilities} object of a worker record (WIRE.md §3). */
public record WorkerCapabilities(
    boolean streaming,
    boolean zeroShot,
    boolean lora,
    boolean cpuOk,
    List<String> languages,
    boolean emotiveZeroPrompt) {

  public static final WorkerCapabilities NONE =
      new WorkerCapabilities(false, false, false, false, List.of(), false);

  public WorkerCapabilities {
    languages = languages == null ? List.of() : List.copyOf(languages);
  }

  public boolean has(Capability capability) {
    return switch (capability) {
      case STREAMING -> streaming;
      case ZERO_SHOT -> zeroShot;
      case LORA -> lora;
      case CPU_OK -> cpuOk;
      case EMOTIVE_ZERO_PROMPT -> emotiveZeroPrompt;
    };
  }

  /** Case-insensitive, because existing workers write both {@code en} and {@code EN}. */
  public boolean speaks(String language) {
    for (String l : languages) {
      if (l.equalsIgnoreCase(language)) {
        return true;
      }
    }
    return false;
  }

  /** The boolean capabilities a selection may require. */
  public enum Capability {
    STREAMING,
    ZERO_SHOT,
    LORA,
    CPU_OK,
    EMOTIVE_ZERO_PROMPT
  }
}
