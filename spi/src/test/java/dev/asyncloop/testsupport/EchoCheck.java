package dev.asyncloop.testsupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;

/** Checks an echo server from a plain blocking client: a line out, the same bytes back, each step bounded. */
public final class EchoCheck {
    private EchoCheck() {
    }

    /**
     * Sends {@code message} on {@code socket} and asserts that the same bytes come back.
     *
     * @param socket a connected socket with a read timeout
     * @param message what to send
     * @param what the connection's name in a failure's message
     * @throws IOException if the connection fails or the read times out
     */
    public static void roundTrip(Socket socket, byte[] message, String what) throws IOException {
        socket.getOutputStream().write(message);
        assertArrayEquals(message, socket.getInputStream().readNBytes(message.length), what + " was not echoed");
    }

    /**
     * A blocking client socket connected to {@code address} within {@code wait}, whose reads give up after
     * {@code wait}.
     *
     * @param address the server
     * @param wait the bound of the connect and of each read
     * @return the socket; the caller closes it
     * @throws IOException if the connect fails or times out
     */
    public static Socket connect(SocketAddress address, Duration wait) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, (int) wait.toMillis());
            s.setSoTimeout((int) wait.toMillis());
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Opens a connection to {@code address}, checks one {@link #roundTrip}, and closes it.
     *
     * @param address the server
     * @param message what to send
     * @param wait the bound of the connect and of the read
     * @param what the connection's name in a failure's message
     * @throws IOException if the connection fails or the read times out
     */
    public static void onNewConnection(SocketAddress address, byte[] message, Duration wait, String what)
            throws IOException {
        try (Socket s = connect(address, wait)) {
            roundTrip(s, message, what);
        }
    }
}
