package dev.asyncloop.spi;

import dev.asyncloop.Protocol;
import dev.asyncloop.StreamTransport;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * asyncio's {@code _SSLProtocolTransport}: the application's side of a TLS connection; every call goes to its
 * {@link TlsProtocol}. Loop thread only.
 */
final class TlsTransport implements StreamTransport {
    private final TlsProtocol tls;

    TlsTransport(TlsProtocol tls) {
        this.tls = tls;
    }

    TlsProtocol tls() {
        return tls;
    }

    @Override
    public void write(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        tls.write(data);
    }

    @Override
    public void writeLines(List<ByteBuffer> data) {
        Objects.requireNonNull(data, "data");
        if (!data.isEmpty()) {
            tls.write(data.toArray(ByteBuffer[]::new));
        }
    }

    /**
     * Refused: TLS has no half-close here, as in asyncio.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void writeEof() {
        throw new UnsupportedOperationException("a TLS transport cannot half-close (canWriteEof() is false, as in"
                + " asyncio); use close(), which sends close_notify");
    }

    @Override
    public boolean canWriteEof() {
        return false;
    }

    @Override
    public void abort() {
        tls.abort();
    }

    @Override
    public void close() {
        tls.close();
    }

    @Override
    public boolean isClosing() {
        return tls.isClosing();
    }

    @Override
    public void setWriteBufferLimits(@Nullable Integer high, @Nullable Integer low) {
        tls.setWriteBufferLimits(high, low);
    }

    @Override
    public int getWriteBufferHighWater() {
        return tls.raw().getWriteBufferHighWater();
    }

    @Override
    public int getWriteBufferLowWater() {
        return tls.raw().getWriteBufferLowWater();
    }

    @Override
    public int getWriteBufferSize() {
        return tls.writeBufferSize();
    }

    @Override
    public void pauseReading() {
        tls.pauseReading();
    }

    @Override
    public void resumeReading() {
        tls.resumeReading();
    }

    @Override
    public boolean isReading() {
        return tls.isReading();
    }

    @Override
    public Optional<Object> getExtraInfo(String key) {
        return Optional.ofNullable(tls.extraInfo(Objects.requireNonNull(key, "key")));
    }

    @Override
    public void setProtocol(Protocol protocol) {
        tls.setApp(protocol);
    }

    @Override
    public Protocol getProtocol() {
        return tls.app();
    }

    @Override
    public String toString() {
        return "TlsTransport[" + tls + "]";
    }
}
