package io.voicegateway.session;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * Reads configuration values by full key, so that every failure names the key that is wrong
 * ("invalid configuration voicegw.session.idle-timeout: ...").
 */
final class SettingsReader {

  private final Config config;

  SettingsReader(Config config) {
    this.config = config;
  }

  Duration duration(String key) {
    return read(key, Config::getDuration);
  }

  int integer(String key) {
    return read(key, Config::getInt);
  }

  long bytes(String key) {
    return read(key, Config::getBytes);
  }

  double real(String key) {
    return read(key, Config::getDouble);
  }

  boolean bool(String key) {
    return read(key, Config::getBoolean);
  }

  String string(String key) {
    return read(key, Config::getString);
  }

  private <T> T read(String key, BiFunction<Config, String, T> getter) {
    try {
      return getter.apply(config, key);
    } catch (ConfigException e) {
      throw bad(key, e.getMessage());
    }
  }

  static IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException("invalid configuration " + key + ": " + why);
  }

  static void requirePositive(Duration d, String key) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw bad(key, "must be a positive duration, was " + d);
    }
  }
}
