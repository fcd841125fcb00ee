package dev.asyncloop.testsupport;

import dev.asyncloop.Protocol;
import dev.asyncloop.Transport;
import dev.asyncloop.WriteTransport;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A server protocol that writes back a copy of each chunk it receives, and counts its connection under the name of
 * the thread that made it (the loop's), so that a test of several loops sees which served it. Subclass it to add to
 * a callback (call {@code super}).
 */
public class EchoProtocol implements Protocol {
    private final Map<String, Integer> served;
    private @Nullable WriteTransport transport;

    /** An echo that counts nowhere. */
    public EchoProtocol() {
        this(new ConcurrentHashMap<>());
    }

    /**
     * An echo that counts its connection in {@code served}.
     *
     * @param served thread name to connections made on it; shared by the connections, so thread-safe
     */
    public EchoProtocol(Map<String, Integer> served) {
        this.served = served;
    }

    /** Keeps the transport (a {@link ClassCastException} if it cannot write) and counts the connection. */
    @Override
    public void connectionMade(Transport transport) {
        this.transport = (WriteTransport) transport;
        served.merge(Thread.currentThread().getName(), 1, Integer::sum);
    }

    /** Writes a copy of {@code data} back. */
    @Override
    public void dataReceived(ByteBuffer data) {
        WriteTransport t = transport;
        if (t == null) {
            throw new IllegalStateException("dataReceived before connectionMade");
        }
        t.write(ByteBuffer.allocate(data.remaining()).put(data).flip());
    }
}
