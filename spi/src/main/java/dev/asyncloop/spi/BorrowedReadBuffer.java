package dev.asyncloop.spi;

/**
 * A {@link dev.asyncloop.BufferedProtocol} whose {@code getBuffer} lends a buffer borrowed for that one read (the
 * TLS layer's, from the loop's {@link TlsBuffers}). {@code bufferUpdated} and {@code eofReceived} end the read and
 * give the buffer back; a read that found no byte calls neither, so the transport tells it with
 * {@link #nothingRead()}, else the buffer would stay borrowed until the next read.
 */
interface BorrowedReadBuffer {
    /** The read into the buffer {@code getBuffer} just returned got no byte (and no end of stream). Loop thread. */
    void nothingRead();
}
