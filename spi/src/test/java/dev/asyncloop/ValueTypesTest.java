package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** What the public value types and errors say about themselves: their text in a log and their argument checks. */
class ValueTypesTest {

    @Test
    void datagramDescribesSizeAndSenderNotTheArray() {
        Datagram d = new Datagram(new byte[12], new InetSocketAddress("127.0.0.1", 5000));

        assertEquals("Datagram[data=12 bytes, address=/127.0.0.1:5000]", d.toString());
    }

    @Test
    void incompleteReadErrorNamesMissingPartial() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> new IncompleteReadError(null, 4));

        assertEquals("partial", e.getMessage());
    }
}
