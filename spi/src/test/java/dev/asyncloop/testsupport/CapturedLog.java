package dev.asyncloop.testsupport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jspecify.annotations.Nullable;

/**
 * The records the library's logger ({@code dev.asyncloop}, through {@code java.util.logging}) gets while this is
 * open, from any thread; {@link #close()} removes the capture and puts the logger's level back.
 */
public final class CapturedLog implements AutoCloseable {
    private static final String LOGGER = "dev.asyncloop";

    private final Logger logger = Logger.getLogger(LOGGER);
    private final @Nullable Level levelBefore;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            records.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    private CapturedLog(@Nullable Level level) {
        levelBefore = logger.getLevel();
        if (level != null) {
            logger.setLevel(level);
        }
        logger.addHandler(handler);
    }

    /**
     * Starts capturing at the logger's own level.
     *
     * @return the capture; close it
     */
    public static CapturedLog start() {
        return new CapturedLog(null);
    }

    /**
     * Starts capturing with the logger set to {@code level} until {@link #close()}.
     *
     * @param level the level to log at meanwhile (e.g. {@link Level#ALL} for debug-mode records)
     * @return the capture; close it
     */
    public static CapturedLog atLevel(Level level) {
        return new CapturedLog(level);
    }

    /**
     * Returns the records so far, in the order logged.
     *
     * @return an unmodifiable snapshot
     */
    public List<LogRecord> records() {
        return List.copyOf(records);
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(levelBefore);
    }
}
