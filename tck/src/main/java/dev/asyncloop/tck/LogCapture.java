package dev.asyncloop.tck;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what the loop logs on the {@code dev.asyncloop} {@link System.Logger}, which the JDK's default
 * logger finder routes to {@code java.util.logging}. Used with try-with-resources; while open, the records do
 * not reach the console.
 *
 * <p>A loop that logs through another backend (an SLF4J bridge for System.Logger, say) is invisible here; the
 * tests that need this call {@link #assumeJulBackend()} first.
 */
final class LogCapture extends Handler implements AutoCloseable {
    static final String LOGGER = "dev.asyncloop";
    private final Logger logger = Logger.getLogger(LOGGER);
    private final Level previousLevel;
    private final boolean previousUseParent;
    private final List<LogRecord> records = new ArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();

    LogCapture() {
        previousLevel = logger.getLevel();
        previousUseParent = logger.getUseParentHandlers();
        setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.setUseParentHandlers(false);
        logger.addHandler(this);
    }

    /** Skips the test unless System.Logger goes to java.util.logging, where this class can see the records. */
    static void assumeJulBackend() {
        System.Logger probe = System.getLogger(LOGGER);
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.getClass().getName().startsWith("sun.util.logging")
                        || probe.getClass().getName().startsWith("jdk.internal.logger"),
                "System.Logger is not backed by java.util.logging here (" + probe.getClass().getName() + ")");
    }

    @Override
    public synchronized void publish(LogRecord record) {
        records.add(record);
    }

    /** @return every record so far, as "LEVEL formatted-message" lines with the thrown exception */
    synchronized List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (LogRecord r : records) {
            out.add(new Entry(r.getLevel(), formatter.formatMessage(r), r.getThrown()));
        }
        return out;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setUseParentHandlers(previousUseParent);
        logger.setLevel(previousLevel);
    }

    /** One captured record. */
    record Entry(Level level, String message, Throwable thrown) {
        @Override
        public String toString() {
            return level + " " + message + (thrown != null ? " [" + thrown + "]" : "");
        }
    }
}
