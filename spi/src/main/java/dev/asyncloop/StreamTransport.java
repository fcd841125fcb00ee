package dev.asyncloop;

/**
 * asyncio's {@code Transport}: a bidirectional byte-stream transport (a TCP connection), both a
 * {@link ReadTransport} and a {@link WriteTransport}. Loop thread only.
 */
public interface StreamTransport extends ReadTransport, WriteTransport {
}
