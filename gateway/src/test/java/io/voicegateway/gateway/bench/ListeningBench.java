package io.voicegateway.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.voicegateway.gateway.GatewayFixture;
import io.voicegateway.gateway.bench.ListeningCorpus.Clip;
import io.voicegateway.gateway.bench.ListeningCorpus.Segment;
import io.voicegateway.gateway.client.GatewayClient;
import io.voicegateway.gateway.client.ServerEvent;
import io.voicegateway.gateway.listen.SpeechAudio;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the gateway hears, on the labelled {@link ListeningCorpus} (docs/BENCHMARKS.md, "Listening:
 * VAD, barge-in and turn ends", has the command and the figures). For each clip and repetition: a
 * WebSocket session ({@code ?input_rate=16000}), the agent ({@code mock-440hz}) given enough texts
 * to speak throughout, then the clip streamed as the microphone, in 20 ms binary frames, each sent
 * when a microphone would have captured it (frame {@code k}, covering {@code [20k, 20k+20)} ms, at
 * {@code t0 + 20(k+1)} ms: no lead). Receive times of every event are kept and matched against the
 * clip's labels.
 *
 * <p>Reported per clip class: onset → {@code speech_started} in audio time ({@code onset_ms +
 * heard_ms} − the true onset) and on the wall clock (the onset's frame sent → the event received);
 * onset → {@code clear} received and → the last agent frame received before it; interruptions
 * (started / confirmed / false) and misses on speech of 500 ms or more; false starts and false
 * interruptions per hour of non-speech; true end → {@code user_turn_end} (audio time: {@code
 * speech_stopped.end_ms + user_turn_end.silence_ms} − the true end; wall: the end's frame sent →
 * received). The gateway's VAD cost per window comes from {@code voicegw_vad_window_seconds} (two
 * /metrics scrapes).
 *
 * <p>Usage: {@code ListeningBench [--url ws://HOST:PORT/ --metrics http://HOST:PORT/metrics]
 * [--reps 3] [--concurrency 4] [--only speech/,short/] [--csv FILE]}. Without {@code --url} it
 * starts Redis, a {@code mock-440hz} worker and a gateway in this JVM ({@link GatewayFixture}).
 */
public final class ListeningBench {

  private static final int RATE = ListeningCorpus.RATE;
  private static final int FRAME_MS = 20;
  private static final int FRAME = RATE * FRAME_MS / 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Args(URI url, URI metrics, int reps, int concurrency, List<String> only,
      Path csv, long seed) {}

  /** One event as the client saw it. */
  private record Seen(String type, JsonNode json, long at) {}

  private record Trial(Clip clip, int rep, long[] frameSent, List<Seen> events, String failure) {}

  public static void main(String[] argv) throws Exception {
    Args args = parse(argv);
    List<Clip> corpus = ListeningCorpus.build(args.seed());
    GatewayFixture fixture = null;
    URI url = args.url();
    URI metrics = args.metrics();
    if (url == null) {
      fixture = GatewayFixture.start("mock-440hz", "");
      fixture.awaitWorkers(1);
      url = fixture.wsUri("");
      metrics = fixture.healthUri("/metrics");
    }
    HttpClient http = HttpClient.newHttpClient();
    List<Clip> clips = corpus.stream().filter(c -> args.only().isEmpty()
        || args.only().stream().anyMatch(p -> c.name().startsWith(p))).toList();
    System.out.printf("corpus: %d clips (%d selected), %d repetitions, %d concurrent sessions%n",
        corpus.size(), clips.size(), args.reps(), args.concurrency());

    // warm-up, not counted: the JIT, the VAD's first inferences, the worker's first stream
    for (Clip c : List.of(corpus.get(0), corpus.get(corpus.size() - 1))) {
      run(http, url, c, -1);
    }

    List<Trial> pending = new ArrayList<>();
    for (int rep = 0; rep < args.reps(); rep++) {
      for (Clip c : clips) pending.add(new Trial(c, rep, null, null, null));
    }
    Collections.shuffle(pending, new Random(args.seed()));
    Map<String, Double> before = scalars(http, metrics);
    Map<String, GatewayLatencyBench.Histogram> histBefore = GatewayLatencyBench.scrape(http,
        metrics);
    long cpuBefore = processCpuNanos();
    long wallBefore = System.nanoTime();
    double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    ExecutorService pool = Executors.newFixedThreadPool(args.concurrency());
    List<Future<Trial>> futures = new ArrayList<>();
    final URI target = url;
    for (Trial t : pending) {
      futures.add(pool.submit(() -> run(http, target, t.clip(), t.rep())));
    }
    List<Trial> trials = new ArrayList<>();
    for (Future<Trial> f : futures) trials.add(f.get());
    pool.shutdown();

    long wall = System.nanoTime() - wallBefore;
    long cpu = processCpuNanos() - cpuBefore;
    double load1 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Thread.sleep(500);
    Map<String, Double> after = scalars(http, metrics);
    Map<String, GatewayLatencyBench.Histogram> histAfter = GatewayLatencyBench.scrape(http,
        metrics);

    report(trials, args);
    double windows = after.getOrDefault("voicegw_vad_window_seconds_count", 0.0)
        - before.getOrDefault("voicegw_vad_window_seconds_count", 0.0);
    double seconds = after.getOrDefault("voicegw_vad_window_seconds_sum", 0.0)
        - before.getOrDefault("voicegw_vad_window_seconds_sum", 0.0);
    GatewayLatencyBench.Histogram vad = histAfter.get("voicegw_vad_window_seconds")
        .minus(histBefore.get("voicegw_vad_window_seconds"));
    double audioSeconds = trials.stream().mapToDouble(t -> t.clip().durationMs()).sum() / 1000;
    System.out.printf("%nVAD (voicegw_vad_window_seconds): %.0f windows (%.0f s of audio), mean"
            + " %.1f µs, p50 %.1f µs, p99 %.1f µs per 32 ms window = %.2f %% / %.2f %% of a core"
            + " per listening session (mean / p99)%n",
        windows, windows * 0.032, seconds / windows * 1e6, vad.quantile(0.5) * 1e6,
        vad.quantile(0.99) * 1e6, seconds / windows / 0.032 * 100,
        vad.quantile(0.99) / 0.032 * 100);
    System.out.printf("process CPU (%s): %.1f s over %.1f s wall for %.1f s of session audio ="
            + " %.2f %% of a core per concurrent session; load average %.2f → %.2f%n",
        fixture == null ? "the bench client alone" : "gateway + worker + bench client, one JVM",
        cpu / 1e9, wall / 1e9, audioSeconds, cpu / 1e9 / audioSeconds * 100, load0, load1);
    if (fixture != null) fixture.close();
    System.exit(0);
  }

  // ---------------------------------------------------------------- one trial

  private static Trial run(HttpClient http, URI base, Clip clip, int rep) {
    List<Seen> events = Collections.synchronizedList(new ArrayList<>());
    short[] s = clip.samples();
    int frames = s.length / FRAME;
    long[] sent = new long[frames];
    URI uri = URI.create(base.toString().replaceAll("/?$", "/") + "?input_rate=16000&audio=binary");
    try (GatewayClient c = GatewayClient.connect(http, uri).get(30, TimeUnit.SECONDS)) {
      CountDownLatch speaking = new CountDownLatch(1);
      c.listen(e -> {
        events.add(seen(e));
        if (e instanceof ServerEvent.Audio) speaking.countDown();
      }, malformed -> events.add(new Seen("malformed", null, System.nanoTime())));
      int texts = (int) Math.min(33, Math.ceil(clip.durationMs() / 500) + 6);
      for (int i = 0; i < texts; i++) c.sendText("Agent sentence " + i + ".", "a" + i);
      if (!speaking.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("no agent audio");
      Thread.sleep(300); // the agent well into its first utterance
      long t0 = System.nanoTime();
      for (int k = 0; k < frames; k++) {
        long due = t0 + TimeUnit.MILLISECONDS.toNanos((long) FRAME_MS * (k + 1));
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
        sent[k] = System.nanoTime();
        c.sendBinary(SpeechAudio.binaryFrame(k + 1, SpeechAudio.pcm(s, k * FRAME, FRAME))).join();
      }
      Thread.sleep(400); // the last windows' events
      List<Seen> copy;
      synchronized (events) {
        copy = new ArrayList<>(events);
      }
      return new Trial(clip, rep, sent, copy, null);
    } catch (Exception e) {
      return new Trial(clip, rep, sent, List.copyOf(events), e.toString());
    }
  }

  private static Seen seen(ServerEvent e) {
    long at = e.receivedNanos();
    try {
      if (e instanceof ServerEvent.Unknown u) {
        return new Seen(u.type(), JSON.readTree(u.rawJson()), at);
      } else if (e instanceof ServerEvent.Audio) {
        return new Seen("audio", null, at);
      } else if (e instanceof ServerEvent.Clear) {
        return new Seen("clear", null, at);
      } else if (e instanceof ServerEvent.UtteranceEnd u) {
        return new Seen("utterance_end:" + u.reason(), null, at);
      } else if (e instanceof ServerEvent.Error err) {
        return new Seen("error:" + err.code() + ":" + err.message(), null, at);
      } else if (e instanceof ServerEvent.SessionEnd end) {
        return new Seen("session_end:" + end.reason(), null, at);
      }
      return new Seen(e.getClass().getSimpleName(), null, at);
    } catch (Exception x) {
      return new Seen("unparsed", null, at);
    }
  }

  // ---------------------------------------------------------------- analysis

  /** Figures of one class of clips. */
  private static final class Figures {
    final List<Double> startAudio = new ArrayList<>();
    final List<Double> startWall = new ArrayList<>();
    final List<Double> clearWall = new ArrayList<>();
    final List<Double> lastAgentWall = new ArrayList<>();
    final List<Double> turnAudio = new ArrayList<>();
    final List<Double> turnWall = new ArrayList<>();
    final List<Double> endAudio = new ArrayList<>(); // speech_stopped.end_ms − true end
    int segments;
    int detected;
    int missed;
    int masked; // the VAD was already in a stretch an earlier false start opened
    int long500;
    int long500Started;
    int long500Confirmed;
    int shortConfirmed;
    int shortFalse;
    int noTurnEnd;
    double nonSpeechMs;
    int falseStarts;
    int falseInterruptions;
    int falseConfirmed;
    int clipsWithFalseStart;
    int orderAnomalies;
    int trials;
    int failures;
    final List<String> notes = new ArrayList<>();
  }

  private static void report(List<Trial> trials, Args args) throws Exception {
    Map<String, Figures> byKind = new LinkedHashMap<>();
    PrintWriter csv = args.csv() == null ? null
        : new PrintWriter(Files.newBufferedWriter(args.csv()));
    if (csv != null) {
      csv.println("clip,rep,onset_ms,offset_ms,start_audio_ms,start_wall_ms,clear_wall_ms,"
          + "last_agent_wall_ms,outcome,turn_audio_ms,turn_wall_ms,false_starts,"
          + "false_interruptions");
    }
    trials.sort((a, b) -> a.clip().name().compareTo(b.clip().name()));
    for (Trial t : trials) {
      Figures f = byKind.computeIfAbsent(t.clip().kind(), k -> new Figures());
      f.trials++;
      if (t.failure() != null) {
        f.failures++;
        f.notes.add(t.clip().name() + " #" + t.rep() + " failed: " + t.failure());
        continue;
      }
      analyse(t, f, csv);
    }
    if (csv != null) csv.close();

    System.out.printf("%n%-20s %5s | %-17s | %-17s | %-17s | %-17s | %-13s | %-17s | %-17s%n",
        "class", "runs", "start audio p50/99", "start wall p50/99", "clear wall p50/99",
        "last agent p50/99", "det/conf ≥500", "turn audio p50/99", "turn wall p50/99");
    for (Map.Entry<String, Figures> e : byKind.entrySet()) {
      Figures f = e.getValue();
      if (f.segments == 0) continue;
      System.out.printf("%-20s %5d | %s | %s | %s | %s | %3d/%3d of %3d | %s | %s%n", e.getKey(),
          f.trials, pair(f.startAudio), pair(f.startWall), pair(f.clearWall),
          pair(f.lastAgentWall), f.long500Started, f.long500Confirmed, f.long500,
          pair(f.turnAudio), pair(f.turnWall));
    }
    System.out.printf("%n%-20s %5s | %9s | %16s | %11s | %14s | %14s | %6s | %s%n", "class",
        "runs", "speech", "det/missed/masked", "non-speech", "false starts", "false interr.", "order",
        "short: confirmed/false, no turn end, end err p50");
    for (Map.Entry<String, Figures> e : byKind.entrySet()) {
      Figures f = e.getValue();
      double hours = f.nonSpeechMs / 3_600_000;
      System.out.printf("%-20s %5d | %9d | %4d / %3d / %3d | %9.1f s | %3d (%5.1f/h) | %3d (%5.1f/h) | %6d |"
              + " %d/%d, %d, %s%n",
          e.getKey(), f.trials, f.segments, f.detected, f.missed, f.masked, f.nonSpeechMs / 1000, f.falseStarts,
          f.falseStarts / hours, f.falseInterruptions, f.falseInterruptions / hours,
          f.orderAnomalies, f.shortConfirmed, f.shortFalse, f.noTurnEnd,
          f.endAudio.isEmpty() ? "-" : String.format("%.0f ms", pct(f.endAudio, 0.5)));
    }
    System.out.println();
    for (Map.Entry<String, Figures> e : byKind.entrySet()) {
      for (String n : e.getValue().notes) System.out.println("note: " + n);
    }
  }

  private static void analyse(Trial t, Figures f, PrintWriter csv) {
    Clip clip = t.clip();
    List<Seen> ev = t.events();
    Segment seg = clip.speech().isEmpty() ? null : clip.speech().get(0);
    f.nonSpeechMs += clip.nonSpeechMs();

    // order: after clear no agent audio until the interruption ends; clear comes right before
    // interruption_started; nothing of the agent after interruption_confirmed
    boolean cleared = false;
    boolean confirmed = false;
    for (int i = 0; i < ev.size(); i++) {
      String type = ev.get(i).type();
      if (type.equals("clear")) {
        cleared = true;
        if (i + 1 >= ev.size() || !ev.get(i + 1).type().equals("interruption_started")) {
          anomaly(f, t, "clear not followed by interruption_started", ev, i);
        }
      } else if (type.equals("audio") && (cleared || confirmed)) {
        anomaly(f, t, "agent audio after " + (confirmed ? "interruption_confirmed" : "clear"),
            ev, i);
        cleared = false;
        confirmed = false;
      } else if (type.equals("false_interruption")) {
        cleared = false;
      } else if (type.equals("interruption_confirmed")) {
        cleared = false;
        confirmed = true;
      } else if (type.startsWith("error") || type.startsWith("session_end")
          || type.equals("malformed")) {
        anomaly(f, t, type, ev, i);
      }
    }

    // speech_started events: the one that detects the labelled speech, and false ones
    int detectedAt = -1;
    int falseStarts = 0;
    int falseInterruptions = 0;
    for (int i = 0; i < ev.size(); i++) {
      if (!ev.get(i).type().equals("speech_started")) continue;
      JsonNode j = ev.get(i).json();
      double onset = j.path("onset_ms").asDouble();
      double heardAt = onset + j.path("heard_ms").asDouble();
      boolean inSpeech = seg != null && heardAt >= seg.onsetMs() - 40
          && onset < seg.offsetMs() + 300;
      if (inSpeech) {
        if (detectedAt < 0) detectedAt = i;
        continue;
      }
      falseStarts++;
      String next = next(ev, i, "clear", "interruption_started");
      if (next != null) falseInterruptions++;
      int conf = indexAfter(ev, i, "interruption_confirmed", "speech_started");
      if (next != null && conf >= 0) f.falseConfirmed++;
      f.notes.add(String.format("%s #%d: false speech_started onset %.0f ms heard %.0f ms%s%s",
          clip.name(), t.rep(), onset, j.path("heard_ms").asDouble(),
          next != null ? " → interruption_started" : "",
          conf >= 0 && next != null ? " → interruption_confirmed (agent stopped)" : ""));
    }
    f.falseStarts += falseStarts;
    f.falseInterruptions += falseInterruptions;
    if (falseStarts > 0) f.clipsWithFalseStart++;

    double startAudio = Double.NaN;
    double startWall = Double.NaN;
    double clearWall = Double.NaN;
    double lastAgentWall = Double.NaN;
    double turnAudio = Double.NaN;
    double turnWall = Double.NaN;
    String outcome = "-";
    if (seg != null) {
      f.segments++;
      boolean long500 = seg.lengthMs() >= 500;
      if (long500) f.long500++;
      long onsetFrameSent = t.frameSent()[Math.min(t.frameSent().length - 1, seg.onset() / FRAME)];
      long endFrameSent =
          t.frameSent()[Math.min(t.frameSent().length - 1, (seg.offset() - 1) / FRAME)];
      if (detectedAt < 0 && speakingAt(ev, seg.onsetMs())) {
        outcome = "masked";
        f.masked++;
        f.notes.add(String.format("%s #%d: speech %.0f ms heard inside a stretch an earlier false"
            + " start opened (VAD stretches %s)", clip.name(), t.rep(), seg.lengthMs(),
            vadStretches(ev)));
      } else if (detectedAt < 0) {
        outcome = "missed";
        f.missed++;
        f.notes.add(clip.name() + " #" + t.rep() + ": speech " + Math.round(seg.lengthMs())
            + " ms never detected; VAD stretches " + vadStretches(ev));
      } else {
        f.detected++;
        Seen started = ev.get(detectedAt);
        JsonNode j = started.json();
        startAudio = j.path("onset_ms").asDouble() + j.path("heard_ms").asDouble() - seg.onsetMs();
        startWall = (started.at() - onsetFrameSent) / 1e6;
        f.startAudio.add(startAudio);
        f.startWall.add(startWall);
        // the interruption the detection started (the agent speaks throughout)
        int clear = -1;
        for (int i = detectedAt + 1; i < ev.size(); i++) {
          if (ev.get(i).type().equals("clear")) {
            clear = i;
            break;
          }
          if (ev.get(i).type().equals("speech_started")) break;
        }
        if (clear >= 0) {
          clearWall = (ev.get(clear).at() - onsetFrameSent) / 1e6;
          f.clearWall.add(clearWall);
          for (int i = clear - 1; i >= 0; i--) {
            if (ev.get(i).type().equals("audio")) {
              lastAgentWall = (ev.get(i).at() - onsetFrameSent) / 1e6;
              f.lastAgentWall.add(lastAgentWall);
              break;
            }
          }
          if (long500) f.long500Started++;
          int conf = indexAfter(ev, clear, "interruption_confirmed", null);
          int fls = indexAfter(ev, clear, "false_interruption", null);
          outcome = conf >= 0 && (fls < 0 || conf < fls) ? "confirmed" : fls >= 0 ? "false"
              : "pending";
          if (outcome.equals("confirmed")) {
            if (long500) f.long500Confirmed++;
            else f.shortConfirmed++;
          } else if (!long500 && outcome.equals("false")) {
            f.shortFalse++;
          }
          if (long500 && !outcome.equals("confirmed")) {
            f.notes.add(String.format("%s #%d: speech %.0f ms not confirmed (%s); VAD heard %s",
                clip.name(), t.rep(), seg.lengthMs(), outcome, vadStretches(ev)));
          }
        } else {
          outcome = "no clear";
          f.notes.add(clip.name() + " #" + t.rep() + ": speech_started without clear");
        }
        // the turn's end
        int turn = indexAfter(ev, detectedAt, "user_turn_end", null);
        if (turn < 0) {
          f.noTurnEnd++;
          f.notes.add(clip.name() + " #" + t.rep() + ": no user_turn_end");
        } else {
          Seen stopped = null;
          for (int i = turn - 1; i > detectedAt; i--) {
            if (ev.get(i).type().equals("speech_stopped")) {
              stopped = ev.get(i);
              break;
            }
          }
          if (stopped != null) {
            double endMs = stopped.json().path("end_ms").asDouble();
            f.endAudio.add(endMs - seg.offsetMs());
            turnAudio = endMs + ev.get(turn).json().path("silence_ms").asDouble() - seg.offsetMs();
            f.turnAudio.add(turnAudio);
          }
          turnWall = (ev.get(turn).at() - endFrameSent) / 1e6;
          f.turnWall.add(turnWall);
        }
      }
    }
    if (csv != null) {
      csv.printf("%s,%d,%s,%s,%.1f,%.1f,%.1f,%.1f,%s,%.1f,%.1f,%d,%d%n", clip.name(), t.rep(),
          seg == null ? "" : String.format("%.1f", seg.onsetMs()),
          seg == null ? "" : String.format("%.1f", seg.offsetMs()), startAudio, startWall,
          clearWall, lastAgentWall, outcome, turnAudio, turnWall, falseStarts,
          falseInterruptions);
    }
  }

  /** Whether the VAD was in a stretch of speech at audio time {@code ms}. */
  private static boolean speakingAt(List<Seen> ev, double ms) {
    boolean speaking = false;
    for (Seen s : ev) {
      if (s.type().equals("speech_started")) {
        if (s.json().path("onset_ms").asDouble() > ms) break;
        speaking = true;
      } else if (s.type().equals("speech_stopped")) {
        if (s.json().path("end_ms").asDouble() > ms) break;
        speaking = false;
      }
    }
    return speaking;
  }

  private static String vadStretches(List<Seen> ev) {
    StringBuilder b = new StringBuilder();
    for (Seen s : ev) {
      if (s.type().equals("speech_started")) {
        b.append(String.format("[%d", s.json().path("onset_ms").asLong()));
      } else if (s.type().equals("speech_stopped")) {
        b.append(String.format("–%d]", s.json().path("end_ms").asLong()));
      }
    }
    return b.toString();
  }

  private static void anomaly(Figures f, Trial t, String what, List<Seen> ev, int i) {
    f.orderAnomalies++;
    StringBuilder around = new StringBuilder();
    for (int k = Math.max(0, i - 4); k < Math.min(ev.size(), i + 3); k++) {
      around.append(k == i ? " >" : " ").append(ev.get(k).type());
    }
    f.notes.add(t.clip().name() + " #" + t.rep() + ": " + what + ":" + around);
  }

  /** The next non-audio events after {@code i} are {@code types}, in order: the last one's type. */
  private static String next(List<Seen> ev, int i, String... types) {
    int k = i + 1;
    for (String type : types) {
      while (k < ev.size() && ev.get(k).type().equals("audio")) k++;
      if (k >= ev.size() || !ev.get(k).type().equals(type)) return null;
      k++;
    }
    return types[types.length - 1];
  }

  /** Index of the first {@code type} after {@code i}, unless {@code stop} comes first; −1. */
  private static int indexAfter(List<Seen> ev, int i, String type, String stop) {
    for (int k = i + 1; k < ev.size(); k++) {
      if (ev.get(k).type().equals(type)) return k;
      if (stop != null && ev.get(k).type().equals(stop)) return -1;
    }
    return -1;
  }

  private static String pair(List<Double> v) {
    if (v.isEmpty()) return String.format("%17s", "-");
    return String.format("%6.0f / %6.0f ms", pct(v, 0.5), pct(v, 0.99));
  }

  /** Nearest rank. */
  static double pct(List<Double> values, double q) {
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    return v.get((int) Math.max(0, Math.min(v.size() - 1, Math.ceil(q * v.size()) - 1)));
  }

  // ---------------------------------------------------------------- metrics, args

  private static Map<String, Double> scalars(HttpClient http, URI metrics) throws Exception {
    String text = http.send(HttpRequest.newBuilder(metrics).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) continue;
      int space = line.lastIndexOf(' ');
      String name = line.substring(0, space);
      if (name.contains("{")) continue;
      try {
        out.put(name, Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException e) {
        // not a sample
      }
    }
    return out;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static Args parse(String[] argv) {
    URI url = null;
    URI metrics = null;
    int reps = 3;
    int concurrency = 4;
    List<String> only = List.of();
    Path csv = null;
    long seed = 1;
    for (int i = 0; i < argv.length; i += 2) {
      String v = argv[i + 1];
      switch (argv[i]) {
        case "--url" -> url = URI.create(v);
        case "--metrics" -> metrics = URI.create(v);
        case "--reps" -> reps = Integer.parseInt(v);
        case "--concurrency" -> concurrency = Integer.parseInt(v);
        case "--only" -> only = List.of(v.split(","));
        case "--csv" -> csv = Path.of(v);
        case "--seed" -> seed = Long.parseLong(v);
        default -> throw new IllegalArgumentException("unknown option " + argv[i]);
      }
    }
    if (url != null && metrics == null) {
      throw new IllegalArgumentException("--url needs --metrics (the gateway's health port)");
    }
    return new Args(url, metrics, reps, concurrency, only, csv, seed);
  }
}
