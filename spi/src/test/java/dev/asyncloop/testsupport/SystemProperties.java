package dev.asyncloop.testsupport;

import java.util.function.Supplier;

/** Runs a piece of a test with a system property set, and puts the previous value (or its absence) back. */
public final class SystemProperties {
    private SystemProperties() {
    }

    /**
     * Sets {@code key} to {@code value}, runs {@code body}, and restores the property whatever {@code body} does.
     * The property is the JVM's: tests that use it must not run in parallel with others reading it.
     *
     * @param key the property
     * @param value its value during {@code body}
     * @param body what to run
     * @param <T> what {@code body} returns
     * @return what {@code body} returned
     */
    public static <T> T with(String key, String value, Supplier<T> body) {
        String previous = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }
}
