package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The loop's TLS buffer set: power-of-two capacities, reuse, a bounded amount kept. */
class TlsBuffersTest {

    @Test
    void capacitiesArePowersOfTwoFromTheMinimum() {
        assertEquals(TlsBuffers.MIN_CAPACITY, TlsBuffers.capacityFor(0));
        assertEquals(TlsBuffers.MIN_CAPACITY, TlsBuffers.capacityFor(1));
        assertEquals(TlsBuffers.MIN_CAPACITY, TlsBuffers.capacityFor(256));
        assertEquals(512, TlsBuffers.capacityFor(257));
        assertEquals(32 * 1024, TlsBuffers.capacityFor(16_709), "a TLS packet");
        assertEquals(64 * 1024, TlsBuffers.capacityFor(64 * 1024));
        assertEquals(1 << 30, TlsBuffers.capacityFor(1 << 30));
        assertThrows(IllegalArgumentException.class, () -> TlsBuffers.capacityFor((1 << 30) + 1));
    }

    @Test
    void aGivenBufferIsTakenAgainCleared() {
        TlsBuffers buffers = new TlsBuffers();
        ByteBuffer a = buffers.take(1000);
        assertEquals(1024, a.capacity());
        a.put((byte) 1).flip();
        buffers.give(a);
        assertEquals(1024, buffers.keptBytes());
        ByteBuffer b = buffers.take(600);
        assertSame(a, b, "a kept buffer of the size asked is handed out again");
        assertEquals(0, b.position(), "cleared");
        assertEquals(1024, b.limit(), "cleared");
        assertEquals(0, buffers.keptBytes());
        assertNotSame(b, buffers.take(600), "a taken buffer is the taker's alone");
        assertEquals(2, buffers.allocations());
    }

    @Test
    void keptBytesAreBoundedPerCapacity() {
        TlsBuffers buffers = new TlsBuffers();
        for (int i = 0; i < 100; i++) {
            buffers.give(ByteBuffer.allocate(64 * 1024));
        }
        assertEquals(TlsBuffers.KEPT_BYTES_PER_SIZE, buffers.keptBytes(), "at most 256 KiB of 64 KiB buffers");
        for (int i = 0; i < 10; i++) {
            buffers.give(ByteBuffer.allocate(1 << 20));
        }
        assertEquals(TlsBuffers.KEPT_BYTES_PER_SIZE + 2L * (1 << 20), buffers.keptBytes(),
                "at least two of a large capacity");
        buffers.give(ByteBuffer.allocate(1000));
        buffers.give(ByteBuffer.allocateDirect(1024));
        buffers.give(ByteBuffer.allocate(1024).asReadOnlyBuffer());
        assertEquals(TlsBuffers.KEPT_BYTES_PER_SIZE + 2L * (1 << 20), buffers.keptBytes(),
                "buffers not from take are left to the collector");
    }

    @Test
    void eachLoopHasItsOwnSet() throws Exception {
        try (ReadinessEventLoop loop = SelectorLoops.newLoop(); ReadinessEventLoop other = SelectorLoops.newLoop()) {
            assertSame(loop.tlsBuffers, TlsBuffers.of(loop));
            assertNotSame(TlsBuffers.of(loop), TlsBuffers.of(other));
        }
    }
}
