package io.altocumulus.tests.load;

import java.util.Arrays;

/** Nearest-rank percentiles of a set of samples (ms). */
public final class Percentiles {
  private double[] v = new double[64];
  private int n;

  public synchronized void add(double x) {
    if (n == v.length) {
      v = Arrays.copyOf(v, n * 2);
    }
    v[n++] = x;
  }

  public synchronized int count() {
    return n;
  }

  /** p in (0, 100]; NaN when empty. */
  public synchronized double percentile(double p) {
    if (n == 0) {
      return Double.NaN;
    }
    double[] s = Arrays.copyOf(v, n);
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * n);
    return s[Math.max(0, Math.min(n - 1, rank - 1))];
  }

  public synchronized double max() {
    return percentile(100);
  }

  public synchronized double mean() {
    if (n == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += v[i];
    }
    return sum / n;
  }
}
