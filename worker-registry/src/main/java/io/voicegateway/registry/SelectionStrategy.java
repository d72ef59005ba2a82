package io.voicegateway.registry;

import java.util.Locale;

/** Worker routing strategies, named as in the existing system's configuration (WIRE.md §3). */
public enum SelectionStrategy {
  LEAST_LOADED,
  ROUND_ROBIN,
  RANDOM,
  LEAST_LATENCY;

  /** The name used in configuration, e.g. {@code least_loaded}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @throws IllegalArgumentException for a name that is not a strategy */
  public static SelectionStrategy fromConfigName(String name) {
    for (SelectionStrategy s : values()) {
      if (s.configName().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown strategy '" + name + "'");
  }
}
