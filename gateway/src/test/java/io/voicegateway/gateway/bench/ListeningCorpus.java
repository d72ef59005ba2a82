package io.voicegateway.gateway.bench;

import io.voicegateway.gateway.client.WavFile;
import io.voicegateway.gateway.listen.SpeechAudio;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A labelled corpus for {@link ListeningBench}: 16 kHz mono clips whose speech segments are known
 * by construction. Nothing is stored: speech comes from espeak-ng (the Debian package the
 * listening tests use), noise, tones and mixing are generated here, seeded, so the same corpus
 * comes out on every machine with the same espeak-ng.
 *
 * <ul>
 *   <li>{@code speech}: espeak-ng ({@code en-us}, {@code en-gb}; 130, 170, 220 words per minute;
 *       four sentences), trimmed of espeak's own lead-in and tail by an amplitude threshold
 *       ({@value #TRIM_THRESHOLD}, about -36 dBFS), kept if 0.5–3 s long, placed after 600–1200
 *       ms of silence and followed by {@value #TAIL_MS} ms of silence. One segment: [onset,
 *       offset) where the trimmed speech begins and ends.
 *   <li>{@code short}: "yes" / "no" under 0.5 s (a short sound over the agent: a false
 *       interruption is the expected outcome, not a miss).
 *   <li>{@code speech+noise}: four speech clips with white, pink or brown noise over the whole clip
 *       at 20, 10 and 5 dB SNR (RMS of the speech segment against RMS of the noise).
 *   <li>{@code noise}: white, pink, brown noise at -30 and -20 dBFS RMS, {@value #LONG_MS} ms.
 *   <li>{@code tone}: 440 Hz, 1 kHz, 300+600 Hz at -30 and -20 dBFS RMS; and digital silence.
 *   <li>{@code echo}: the agent's own output heard back by the microphone, no user speech: a TTS
 *       voice other than the user's ({@code en-us+f3}, 170 wpm, sentences back to back) and the
 *       mock worker's 440 Hz tone, at 20 and 30 dB below the corpus's speech level
 *       ({@value #SPEECH_REFERENCE_DBFS} dBFS RMS, so -40 and -50 dBFS).
 *   <li>{@code speech+echo}: four speech clips with either echo over the whole clip at -20 and -30
 *       dB relative to the speech.
 * </ul>
 *
 * <p>{@code main} prints the corpus (and writes the WAV files to a directory if one is given, for
 * listening; never into the repository).
 */
public final class ListeningCorpus {

  public static final int RATE = 16_000;
  static final int TRIM_THRESHOLD = SpeechAudio.TRIM_THRESHOLD;
  static final int TAIL_MS = 2_200;
  static final int LONG_MS = 8_000;
  /** The user's speech level the echo levels are relative to: espeak-ng speaks at about this. */
  static final double SPEECH_REFERENCE_DBFS = -20.0;
  static final String AGENT_VOICE = "en-us+f3";

  /** {@code [onset, offset)} in samples at {@link #RATE}. */
  public record Segment(int onset, int offset) {
    public double onsetMs() {
      return onset * 1000.0 / RATE;
    }

    public double offsetMs() {
      return offset * 1000.0 / RATE;
    }

    public double lengthMs() {
      return offsetMs() - onsetMs();
    }
  }

  /** @param kind the class figures are reported by; {@code speech} lists the labelled segments */
  public record Clip(String name, String kind, short[] samples, List<Segment> speech) {
    public double durationMs() {
      return samples.length * 1000.0 / RATE;
    }

    /** Audio with no labelled speech in it, in ms. */
    public double nonSpeechMs() {
      return durationMs() - speech.stream().mapToDouble(Segment::lengthMs).sum();
    }
  }

  private static final String[] SENTENCES = {
      "Hello there",
      "Wait a moment",
      "Can you tell me about my order",
      "Please change my delivery address",
  };
  private static final String[] VOICES = {"en-us", "en-gb"};
  private static final int[] RATES = {130, 170, 220};
  private static final String[] AGENT_TEXT = {
      "Your order was shipped yesterday and should arrive on Thursday",
      "You can track it with the link in your confirmation email",
      "Is there anything else I can help you with today",
      "Our support team is available every day from eight to eight",
  };

  private ListeningCorpus() {}

  /** The whole corpus, the same for the same {@code seed}. */
  public static List<Clip> build(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Clip> clips = new ArrayList<>();
    Map<String, short[]> speech = new LinkedHashMap<>();
    for (String sentence : SENTENCES) {
      for (String voice : VOICES) {
        for (int wpm : RATES) {
          short[] s = SpeechAudio.trimmed(SpeechAudio.espeak(sentence, voice, wpm, RATE));
          double ms = s.length * 1000.0 / RATE;
          if (ms < 500 || ms > 3_000) continue;
          speech.put(voice + "/" + wpm + "/" + slug(sentence), s);
        }
      }
    }
    for (Map.Entry<String, short[]> e : speech.entrySet()) {
      clips.add(withSpeech("speech/" + e.getKey(), "speech", e.getValue(), null, random));
    }
    for (String word : new String[] {"yes", "no"}) {
      for (String voice : VOICES) {
        for (int wpm : new int[] {170, 220}) {
          short[] s = SpeechAudio.trimmed(SpeechAudio.espeak(word, voice, wpm, RATE));
          if (s.length >= RATE / 2) continue;
          clips.add(withSpeech("short/" + voice + "/" + wpm + "/" + word, "short", s, null,
              random));
        }
      }
    }

    // four speech clips (different sentences, voices, rates) for the mixes
    List<Map.Entry<String, short[]>> mixed = new ArrayList<>();
    List<Map.Entry<String, short[]>> all = new ArrayList<>(speech.entrySet());
    for (int i = 0; i < 4; i++) mixed.add(all.get((i * 5 + 1) % all.size()));

    for (Map.Entry<String, short[]> e : mixed) {
      double speechDb = dbfs(e.getValue());
      for (String colour : new String[] {"white", "pink", "brown"}) {
        for (int snr : new int[] {20, 10, 5}) {
          double noiseDb = speechDb - snr;
          String name = "speech+noise/" + colour + "/snr" + snr + "/" + e.getKey();
          clips.add(withSpeech(name, "speech+noise/snr" + snr, e.getValue(),
              n -> scaled(noise(colour, n, random.nextLong()), noiseDb), random));
        }
      }
    }

    for (String colour : new String[] {"white", "pink", "brown"}) {
      for (int level : new int[] {-30, -20}) {
        clips.add(new Clip("noise/" + colour + "/" + level + "dBFS", "noise",
            scaled(noise(colour, RATE * LONG_MS / 1000, random.nextLong()), level), List.of()));
      }
    }
    double[][] tones = {{440}, {1000}, {300, 600}};
    for (double[] f : tones) {
      for (int level : new int[] {-30, -20}) {
        String name = "tone/" + (f.length == 1 ? (int) f[0] + "Hz" : "300+600Hz") + "/" + level
            + "dBFS";
        clips.add(new Clip(name, "tone", scaled(tone(f, RATE * LONG_MS / 1000), level),
            List.of()));
      }
    }
    clips.add(new Clip("silence/digital", "silence", new short[RATE * LONG_MS / 1000],
        List.of()));

    short[] agentSpeech = agentVoice(RATE * LONG_MS / 1000);
    for (int below : new int[] {20, 30}) {
      double level = SPEECH_REFERENCE_DBFS - below;
      clips.add(new Clip("echo/tts/-" + below + "dB", "echo",
          scaled(agentSpeech, level), List.of()));
      clips.add(new Clip("echo/440Hz/-" + below + "dB", "echo",
          scaled(tone(new double[] {440}, RATE * LONG_MS / 1000), level), List.of()));
    }
    for (Map.Entry<String, short[]> e : mixed) {
      double speechDb = dbfs(e.getValue());
      for (int below : new int[] {20, 30}) {
        double level = speechDb - below;
        clips.add(withSpeech("speech+echo/tts/-" + below + "dB/" + e.getKey(), "speech+echo",
            e.getValue(), n -> scaled(agentVoice(n), level), random));
        clips.add(withSpeech("speech+echo/440Hz/-" + below + "dB/" + e.getKey(), "speech+echo",
            e.getValue(), n -> scaled(tone(new double[] {440}, n), level), random));
      }
    }
    return clips;
  }

  private interface Background {
    short[] of(int samples);
  }

  /** Silence (or {@code background}), the speech after 600–1200 ms, then {@value #TAIL_MS} ms. */
  private static Clip withSpeech(String name, String kind, short[] speech, Background background,
      SplittableRandom random) {
    int lead = RATE * (600 + random.nextInt(600)) / 1000 + random.nextInt(16); // not on a ms
    int n = lead + speech.length + RATE * TAIL_MS / 1000;
    short[] out = new short[n];
    System.arraycopy(speech, 0, out, lead, speech.length);
    if (background != null) out = mix(out, background.of(n));
    return new Clip(name, kind, out, List.of(new Segment(lead, lead + speech.length)));
  }

  /** The agent's TTS voice: its sentences back to back (150 ms apart), {@code n} samples. */
  private static short[] agentVoice(int n) {
    short[] out = new short[n];
    int at = 0;
    for (int i = 0; at < n; i++) {
      short[] s = SpeechAudio.trimmed(
          SpeechAudio.espeak(AGENT_TEXT[i % AGENT_TEXT.length], AGENT_VOICE, 170, RATE));
      int len = Math.min(s.length, n - at);
      System.arraycopy(s, 0, out, at, len);
      at += len + RATE * 150 / 1000;
    }
    return out;
  }

  // ---------------------------------------------------------------- signals

  static short[] noise(String colour, int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] x = new double[n];
    switch (colour) {
      case "white" -> {
        for (int i = 0; i < n; i++) x[i] = gaussian(r);
      }
      case "pink" -> { // Paul Kellet's refined filter: -3 dB per octave within 0.05 dB
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (int i = 0; i < n; i++) {
          double w = gaussian(r);
          b0 = 0.99886 * b0 + w * 0.0555179;
          b1 = 0.99332 * b1 + w * 0.0750759;
          b2 = 0.96900 * b2 + w * 0.1538520;
          b3 = 0.86650 * b3 + w * 0.3104856;
          b4 = 0.55000 * b4 + w * 0.5329522;
          b5 = -0.7616 * b5 - w * 0.0168980;
          x[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
          b6 = w * 0.115926;
        }
      }
      case "brown" -> { // integrated white noise, leaky so it does not wander off (-6 dB/octave)
        double y = 0;
        for (int i = 0; i < n; i++) {
          y = 0.998 * y + gaussian(r);
          x[i] = y;
        }
      }
      default -> throw new IllegalArgumentException(colour);
    }
    return normalised(x);
  }

  private static double gaussian(SplittableRandom r) {
    double u = r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
  }

  static short[] tone(double[] hz, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      for (double f : hz) x[i] += Math.sin(2 * Math.PI * f * i / RATE);
    }
    return normalised(x);
  }

  /** {@code x} scaled to {@code dbfs} RMS (full scale = 32768). */
  static short[] scaled(short[] x, double dbfs) {
    double rms = rms(x);
    double target = 32768 * Math.pow(10, dbfs / 20);
    double[] d = new double[x.length];
    for (int i = 0; i < x.length; i++) d[i] = x[i];
    return toShorts(d, rms == 0 ? 0 : target / rms);
  }

  /** A unit-less signal at a -12 dBFS peak, so that {@link #scaled} has resolution to work on. */
  private static short[] normalised(double[] x) {
    double peak = 0;
    for (double v : x) peak = Math.max(peak, Math.abs(v));
    return toShorts(x, peak == 0 ? 0 : 8192 / peak);
  }

  private static short[] toShorts(double[] x, double gain) {
    short[] out = new short[x.length];
    for (int i = 0; i < x.length; i++) out[i] = clip(Math.round(x[i] * gain));
    return out;
  }

  static short[] mix(short[] a, short[] b) {
    short[] out = new short[a.length];
    for (int i = 0; i < a.length; i++) out[i] = clip((long) a[i] + (i < b.length ? b[i] : 0));
    return out;
  }

  private static short clip(long v) {
    return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
  }

  static double rms(short[] x) {
    double s = 0;
    for (short v : x) s += (double) v * v;
    return x.length == 0 ? 0 : Math.sqrt(s / x.length);
  }

  static double dbfs(short[] x) {
    return 20 * Math.log10(rms(x) / 32768);
  }

  // ---------------------------------------------------------------- names

  private static String slug(String sentence) {
    return sentence.toLowerCase().replaceAll("[^a-z]+", "-");
  }

  /** Prints the corpus; {@code main DIR} also writes each clip as a WAV file into DIR. */
  public static void main(String[] args) throws IOException {
    long started = System.nanoTime();
    List<Clip> clips = build(1L);
    Map<String, double[]> byKind = new LinkedHashMap<>();
    for (Clip c : clips) {
      System.out.printf("%-62s %7.0f ms  %6.1f dBFS  speech %s%n", c.name(), c.durationMs(),
          dbfs(c.samples()), c.speech().stream()
              .map(s -> String.format("[%.1f, %.1f)", s.onsetMs(), s.offsetMs())).toList());
      double[] sum = byKind.computeIfAbsent(c.kind(), k -> new double[3]);
      sum[0]++;
      sum[1] += c.durationMs();
      sum[2] += c.nonSpeechMs();
      if (args.length > 0) {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        ByteBuffer b = ByteBuffer.allocate(c.samples().length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : c.samples()) b.putShort(v);
        new WavFile(b.array(), RATE, 1).write(dir.resolve(c.name().replace('/', '_') + ".wav"));
      }
    }
    byKind.forEach((k, v) -> System.out.printf("%-22s %3.0f clips, %6.1f s, non-speech %6.1f s%n",
        k, v[0], v[1] / 1000, v[2] / 1000));
    System.out.printf("built in %.1f s%n", (System.nanoTime() - started) / 1e9);
  }
}
