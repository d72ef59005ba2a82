package io.voicegateway.audio.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SileroModelTest {

  /** Silero VAD v6.2 silero_vad.onnx, as published (snakers4/silero-vad, MIT). */
  private static final String V6_2_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3";

  private static byte[] resource() throws IOException {
    try (InputStream in = SileroModel.class.getResourceAsStream(SileroModel.RESOURCE)) {
      assertNotNull(in, "silero_vad.onnx is not on the class path: audio/fetch-silero-model.sh did not run");
      return in.readAllBytes();
    }
  }

  @Test
  void theClassPathCarriesSileroVadV62() throws Exception {
    byte[] model = resource();
    assertEquals(2_327_524, model.length);
    assertEquals(V6_2_SHA256, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model)));
    assertEquals(V6_2_SHA256, SileroModel.SHA256);
  }

  @Test
  void sharedLoadsOnceAndClosingItDoesNothing() {
    SileroModel model = SileroModel.shared();
    assertSame(model, SileroModel.shared());
    model.close();
    SileroVad vad = new SileroVad(SileroModel.shared());
    assertEquals(1, vad.accept(new short[SileroModel.WINDOW_SAMPLES], 0, SileroModel.WINDOW_SAMPLES).length);
  }

  @Test
  void loadsAModelFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("silero_vad.onnx");
    Files.write(file, resource());
    try (SileroModel model = SileroModel.load(file)) {
      float[] p = new SileroVad(model).accept(new short[1024], 0, 1024);
      assertEquals(2, p.length);
      assertTrue(p[0] < 0.1f && p[1] < 0.1f, Arrays.toString(p));
    }
  }

  @Test
  void aMissingFileIsNamed(@TempDir Path dir) {
    Path missing = dir.resolve("nowhere.onnx");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SileroModel.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void aCorruptFileIsRefusedWithItsName(@TempDir Path dir) throws Exception {
    Path truncated = dir.resolve("truncated.onnx");
    Files.write(truncated, Arrays.copyOf(resource(), 100_000));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SileroModel.load(truncated));
    assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
  }
}
