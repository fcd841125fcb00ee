package dev.asyncloop.testsupport;

import java.util.SplittableRandom;

/**
 * Random byte arrays drawn from a seeded generator. The two ways draw differently (a fixed seed gives other bytes
 * in each), so a test keeps the one it was written with: its seeds replay the same cases.
 */
public final class RandomBytes {
    private RandomBytes() {
    }

    /**
     * {@code n} bytes, one {@code nextInt(256)} a byte.
     *
     * @param rnd the generator, advanced by {@code n} draws
     * @param n how many bytes, at least 0
     * @return a new array
     */
    public static byte[] perByte(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
        return b;
    }

    /**
     * {@code n} bytes, eight from each {@code nextLong()} (low byte first): faster for megabytes.
     *
     * @param rnd the generator, advanced by {@code ceil(n / 8)} draws
     * @param n how many bytes, at least 0
     * @return a new array
     */
    public static byte[] perLong(SplittableRandom rnd, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i += 8) {
            long v = rnd.nextLong();
            for (int j = i; j < Math.min(n, i + 8); j++) {
                b[j] = (byte) v;
                v >>>= 8;
            }
        }
        return b;
    }
}
