package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.Future;
import dev.asyncloop.Protocol;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failed write or close of a child's stdin pipe reaches the protocol as a "Broken pipe" {@link IOException} of
 * the library's own, whatever the JDK's text (the C library's {@code strerror} follows the process locale, Windows'
 * text the system language): {@code Subprocess.communicate} tells a child that stopped reading by that text.
 */
class StdinPumpErrorTest {
    private final TestLoop loop = new TestLoop();

    @AfterEach
    void tearDown() {
        loop.close();
    }

    /** A stdin whose write or close fails with {@code jdkError}. */
    private static OutputStream failing(IOException jdkError, boolean onClose) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                if (!onClose) {
                    throw jdkError;
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                write(0);
            }

            @Override
            public void close() throws IOException {
                if (onClose) {
                    throw jdkError;
                }
            }
        };
    }

    private Throwable lossOf(OutputStream stdin, boolean eof) {
        Future<@Nullable Throwable> lost = loop.createFuture();
        Protocol protocol = new Protocol() {
            @Override
            public void connectionLost(@Nullable Throwable exception) {
                lost.setResult(exception);
            }
        };
        OutputStreamTransport transport = new OutputStreamTransport(loop, stdin, protocol, "test-stdin", () -> { });
        transport.start();
        transport.write(ByteBuffer.wrap(new byte[] {'x'}));
        if (eof) {
            transport.writeEof();
        }
        Throwable loss = loop.runUntilComplete(lost);
        assertTrue(loss != null, "the pipe was lost with an error");
        return loss;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Datenübergabe unterbrochen (broken pipe)", "Relais brisé (pipe)",
            "Le canal de communication est sur le point d'être fermé", "Stream closed", "Broken pipe"})
    void aWriteErrorIsABrokenPipeWhateverTheLanguage(String jdkText) {
        IOException jdkError = new IOException(jdkText);
        Throwable loss = lossOf(failing(jdkError, false), false);
        IOException e = assertInstanceOf(IOException.class, loss);
        assertTrue(e.getMessage().startsWith("Broken pipe"), e.getMessage());
        assertTrue(e.getMessage().contains(jdkText), "the JDK's text is kept: " + e.getMessage());
        assertSame(jdkError, e.getCause());
    }

    @Test
    void aCloseErrorIsABrokenPipeToo() {   // closing flushes what the JDK buffered
        IOException jdkError = new IOException("Datenübergabe unterbrochen (broken pipe)");
        Throwable loss = lossOf(failing(jdkError, true), true);
        assertTrue(loss.getMessage().startsWith("Broken pipe"), loss.getMessage());
        assertSame(jdkError, loss.getCause());
    }
}
