package io.voicegateway.registry;

import io.voicegateway.registry.WorkerCapabilities.Capability;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * What a session needs from a worker. Build from {@link #any()} with the {@code with…} methods.
 *
 * @param language required language (case-insensitive), or null for any
 * @param model preferred model: workers with it resident win, others are the fallback; null for any
 * @param required capabilities a worker must declare
 * @param excluded worker names not to pick (e.g. one that just failed this session)
 */
public record SelectionRequest(
    String language, String model, Set<Capability> required, Set<String> excluded) {

  private static final SelectionRequest ANY = new SelectionRequest(null, null, Set.of(), Set.of());

  public SelectionRequest {
    required = required == null || required.isEmpty() ? Set.of() : Set.copyOf(required);
    excluded = excluded == null || excluded.isEmpty() ? Set.of() : Set.copyOf(excluded);
  }

  public static SelectionRequest any() {
    return ANY;
  }

  public SelectionRequest withLanguage(String language) {
    return new SelectionRequest(language, model, required, excluded);
  }

  public SelectionRequest withModel(String model) {
    return new SelectionRequest(language, model, required, excluded);
  }

  public SelectionRequest requiring(Capability... capabilities) {
    Set<Capability> s = required.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(required);
    s.addAll(Arrays.asList(capabilities));
    return new SelectionRequest(language, model, s, excluded);
  }

  public SelectionRequest excluding(String... names) {
    Set<String> s = new HashSet<>(excluded);
    s.addAll(Arrays.asList(names));
    return new SelectionRequest(language, model, required, s);
  }
}
