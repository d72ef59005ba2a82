package io.voicegateway.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Line and bar charts drawn with Java2D on a {@link BufferedImage} (headless) and written as PNG.
 * Axes start at zero, carry "nice" ticks (1, 2, 2.5, 5 × 10ⁿ), a label with the unit and a light
 * grid; a line chart may have a second y-axis on the right. NaN values break a line.
 */
final class Charts {

  static final int WIDTH = 960;
  static final int HEIGHT = 400;
  static final Color BLUE = new Color(0x1f77b4);
  static final Color ORANGE = new Color(0xff7f0e);
  static final Color GREEN = new Color(0x2ca02c);
  static final Color RED = new Color(0xd62728);
  static final Color PURPLE = new Color(0x9467bd);
  static final Color GRAY = new Color(0x7f7f7f);

  private static final Color GRID = new Color(0xe6e6e6);
  private static final Color AXIS = new Color(0x333333);
  private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
  private static final int LEFT = 80;
  private static final int TOP = 66;
  private static final int BOTTOM = 58;

  /**
   * One line.
   *
   * @param right drawn against the right-hand y-axis
   * @param dashed a dashed line
   */
  record Series(String name, Color color, double[] x, double[] y, boolean right, boolean dashed) {
    Series(String name, Color color, double[] x, double[] y) {
      this(name, color, x, y, false, false);
    }
  }

  private Charts() {}

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** A line chart; {@code y2Label} null for none. */
  static BufferedImage line(String title, String xLabel, String yLabel, String y2Label,
      List<Series> series) {
    boolean hasRight = y2Label != null && series.stream().anyMatch(Series::right);
    int right = hasRight ? 80 : 30;
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(img, title);
    int pw = WIDTH - LEFT - right;
    int ph = HEIGHT - TOP - BOTTOM;

    double xMax = 0;
    double yMax = 0;
    double y2Max = 0;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isNaN(s.x()[i])) {
          xMax = Math.max(xMax, s.x()[i]);
        }
        double v = s.y()[i];
        if (!Double.isNaN(v) && !Double.isInfinite(v)) {
          if (s.right()) {
            y2Max = Math.max(y2Max, v);
          } else {
            yMax = Math.max(yMax, v);
          }
        }
      }
    }
    Axis x = Axis.of(xMax);
    Axis y = Axis.of(yMax * 1.05);
    Axis y2 = Axis.of(y2Max * 1.05);
    grid(g, x, y, pw, ph);
    xTicks(g, x, pw, ph, xLabel);
    yTicks(g, y, ph, yLabel, LEFT, false);
    if (hasRight) {
      yTicks(g, y2, ph, y2Label, LEFT + pw, true);
    }

    boolean any = false;
    for (Series s : series) {
      Axis ya = s.right() ? y2 : y;
      g.setColor(s.color());
      g.setStroke(s.dashed()
          ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
              new float[] {6f, 4f}, 0f)
          : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      Path2D.Double path = new Path2D.Double();
      boolean pen = false;
      int points = 0;
      for (int i = 0; i < s.x().length; i++) {
        double v = s.y()[i];
        if (Double.isNaN(v) || Double.isInfinite(v) || Double.isNaN(s.x()[i])) {
          pen = false;
          continue;
        }
        double px = LEFT + x.frac(s.x()[i]) * pw;
        double py = TOP + ph - ya.frac(v) * ph;
        if (pen) {
          path.lineTo(px, py);
        } else {
          path.moveTo(px, py);
          pen = true;
        }
        points++;
        any = true;
      }
      g.draw(path);
      if (points > 0 && points <= 40) { // mark the points of a short series
        for (int i = 0; i < s.x().length; i++) {
          double v = s.y()[i];
          if (!Double.isNaN(v) && !Double.isInfinite(v) && !Double.isNaN(s.x()[i])) {
            int px = (int) Math.round(LEFT + x.frac(s.x()[i]) * pw);
            int py = (int) Math.round(TOP + ph - ya.frac(v) * ph);
            g.fillOval(px - 3, py - 3, 6, 6);
          }
        }
      }
    }
    if (!any) {
      noData(g, pw, ph);
    }
    legend(g, series.stream().map(s -> new Object[] {s.name() + (hasRight && s.right()
        ? " (right axis)" : ""), s.color()}).toList(), LEFT + pw);
    g.dispose();
    return img;
  }

  /**
   * A histogram: {@code counts[i]} values in {@code [i * binWidth, (i + 1) * binWidth)}; the last
   * bin holds everything above it too when {@code lastIsOpen}.
   */
  static BufferedImage bars(String title, String xLabel, String yLabel, double binWidth,
      long[] counts, boolean lastIsOpen) {
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(img, title);
    int pw = WIDTH - LEFT - 30;
    int ph = HEIGHT - TOP - BOTTOM;
    long max = 0;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    Axis x = Axis.of(binWidth * counts.length);
    Axis y = Axis.of(max * 1.05);
    grid(g, x, y, pw, ph);
    xTicks(g, x, pw, ph, xLabel);
    yTicks(g, y, ph, yLabel, LEFT, false);
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] == 0) {
        continue;
      }
      int x0 = (int) Math.round(LEFT + x.frac(i * binWidth) * pw);
      int x1 = (int) Math.round(LEFT + x.frac((i + 1) * binWidth) * pw);
      int h = (int) Math.round(y.frac(counts[i]) * ph);
      g.setColor(lastIsOpen && i == counts.length - 1 ? ORANGE : BLUE);
      g.fillRect(x0 + 1, TOP + ph - h, Math.max(1, x1 - x0 - 1), h);
    }
    if (max == 0) {
      noData(g, pw, ph);
    } else if (lastIsOpen) {
      legend(g, List.<Object[]>of(new Object[] {"frames", BLUE},
          new Object[] {"last bar: this value and above", ORANGE}), LEFT + pw);
    }
    g.dispose();
    return img;
  }

  static void writePng(BufferedImage img, Path file) throws IOException {
    if (!ImageIO.write(img, "png", file.toFile())) {
      throw new IOException("no PNG writer for " + file);
    }
  }

  // ---------------------------------------------------------------------------------- drawing

  private static Graphics2D start(BufferedImage img, String title) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(AXIS);
    g.setFont(TITLE);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(title, (img.getWidth() - fm.stringWidth(title)) / 2, 28);
    return g;
  }

  private static void grid(Graphics2D g, Axis x, Axis y, int pw, int ph) {
    g.setStroke(new BasicStroke(1f));
    g.setColor(GRID);
    for (double v = 0; v <= x.max + 1e-9; v += x.step) {
      int px = (int) Math.round(LEFT + x.frac(v) * pw);
      g.drawLine(px, TOP, px, TOP + ph);
    }
    for (double v = 0; v <= y.max + 1e-9; v += y.step) {
      int py = (int) Math.round(TOP + ph - y.frac(v) * ph);
      g.drawLine(LEFT, py, LEFT + pw, py);
    }
    g.setColor(AXIS);
    g.drawRect(LEFT, TOP, pw, ph);
  }

  private static void xTicks(Graphics2D g, Axis x, int pw, int ph, String label) {
    g.setFont(TICK);
    FontMetrics fm = g.getFontMetrics();
    g.setColor(AXIS);
    for (double v = 0; v <= x.max + 1e-9; v += x.step) {
      int px = (int) Math.round(LEFT + x.frac(v) * pw);
      g.drawLine(px, TOP + ph, px, TOP + ph + 4);
      String s = x.format(v);
      g.drawString(s, px - fm.stringWidth(s) / 2, TOP + ph + 17);
    }
    g.setFont(LABEL);
    fm = g.getFontMetrics();
    g.drawString(label, LEFT + (pw - fm.stringWidth(label)) / 2, TOP + ph + 42);
  }

  private static void yTicks(Graphics2D g, Axis y, int ph, String label, int axisX,
      boolean right) {
    g.setFont(TICK);
    FontMetrics fm = g.getFontMetrics();
    g.setColor(AXIS);
    int widest = 0;
    for (double v = 0; v <= y.max + 1e-9; v += y.step) {
      int py = (int) Math.round(TOP + ph - y.frac(v) * ph);
      String s = y.format(v);
      widest = Math.max(widest, fm.stringWidth(s));
      if (right) {
        g.drawLine(axisX, py, axisX + 4, py);
        g.drawString(s, axisX + 7, py + 4);
      } else {
        g.drawLine(axisX - 4, py, axisX, py);
        g.drawString(s, axisX - 7 - fm.stringWidth(s), py + 4);
      }
    }
    g.setFont(LABEL);
    fm = g.getFontMetrics();
    AffineTransform saved = g.getTransform();
    int lx = right ? axisX + widest + 24 : axisX - widest - 16;
    int ly = TOP + (ph + fm.stringWidth(label)) / 2;
    g.translate(lx, ly);
    g.rotate(-Math.PI / 2);
    g.drawString(label, 0, 0);
    g.setTransform(saved);
  }

  /** A row of legend entries between the title and the plot, right-aligned, never over data. */
  private static void legend(Graphics2D g, List<Object[]> entries, int rightEdge) {
    if (entries.isEmpty()) {
      return;
    }
    g.setStroke(new BasicStroke(1f));
    g.setFont(TICK);
    FontMetrics fm = g.getFontMetrics();
    int total = 0;
    for (Object[] e : entries) {
      total += 22 + fm.stringWidth((String) e[0]) + 16;
    }
    int x = Math.max(LEFT, rightEdge - total + 16);
    int y = TOP - 12;
    for (Object[] e : entries) {
      g.setColor((Color) e[1]);
      g.fillRect(x, y - 8, 16, 8);
      g.setColor(AXIS);
      g.drawString((String) e[0], x + 22, y);
      x += 22 + fm.stringWidth((String) e[0]) + 16;
    }
  }

  private static void noData(Graphics2D g, int pw, int ph) {
    g.setFont(LABEL);
    g.setColor(GRAY);
    String s = "no data";
    g.drawString(s, LEFT + (pw - g.getFontMetrics().stringWidth(s)) / 2, TOP + ph / 2);
  }

  /** An axis from 0 to a nice maximum with a nice step. */
  record Axis(double max, double step) {
    static Axis of(double dataMax) {
      if (!(dataMax > 0) || Double.isInfinite(dataMax)) {
        return new Axis(1, 0.25);
      }
      double step = niceStep(dataMax / 5);
      double max = Math.ceil(dataMax / step - 1e-9) * step;
      return new Axis(max, step);
    }

    double frac(double v) {
      return v / max;
    }

    String format(double v) {
      if (step >= 1 && Math.abs(v - Math.rint(v)) < 1e-9) {
        return String.format(Locale.ROOT, "%,d", Math.round(v));
      }
      int decimals = (int) Math.max(0, Math.ceil(-Math.log10(step)) + 1);
      String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
      return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
  }

  /** 1, 2, 2.5 or 5 × 10ⁿ, the smallest at least {@code rough}. */
  static double niceStep(double rough) {
    double exp = Math.pow(10, Math.floor(Math.log10(rough)));
    double f = rough / exp;
    double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return nice * exp;
  }
}
