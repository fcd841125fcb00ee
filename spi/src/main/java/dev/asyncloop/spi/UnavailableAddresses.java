package dev.asyncloop.spi;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * asyncio's rule for a server's addresses that this host cannot have (bpo-30945): an address whose family the
 * host has not enabled is skipped, and the server serves on the others. "localhost" answers {@code ::1} on a
 * machine whose loopback has no IPv6, and a JDK that finds no IPv6 at all cannot even open an IPv6 socket.
 * Only when no address is left does the server fail. One per {@code createServer} call, on the loop thread.
 */
final class UnavailableAddresses {
    private final List<IOException> skipped = new ArrayList<>();
    private final boolean debug;

    /** @param debug the loop's debug mode, in which each skipped address is logged as a warning, as asyncio does */
    UnavailableAddresses(boolean debug) {
        this.debug = debug;
    }

    /** Skips {@code address}, whose socket the JDK cannot open (asyncio skips a socket it cannot create). */
    void familyUnavailable(InetSocketAddress address, UnsupportedOperationException e) {
        SocketException named = new SocketException("error while attempting to bind on address " + address
                + ": " + e.getMessage());
        named.initCause(e);
        skip(named, "the JDK has no socket of this family");
    }

    /**
     * Skips {@code address} if its bind failed because no interface of this host holds it (asyncio's
     * {@code EADDRNOTAVAIL}), told by asking the interfaces rather than by the error's text, which is the C
     * library's in the process's locale.
     *
     * @param named the bind error, already naming the address
     * @return true if skipped; false if the error is another (the port in use, a privileged port)
     */
    boolean skipIfNotHere(InetSocketAddress address, BindException named) {
        if (address.getAddress().isAnyLocalAddress()) {
            return false;
        }
        try {
            if (NetworkInterface.getByInetAddress(address.getAddress()) != null) {
                return false;
            }
        } catch (SocketException cannotTell) {
            return false; // the bind error stands
        }
        skip(named, "no interface of this host holds it");
        return true;
    }

    private void skip(IOException named, String why) {
        skipped.add(named);
        if (debug) {
            ReadinessEventLoop.LOG.log(Level.WARNING, named.getMessage() + "; skipped: " + why);
        }
    }

    /** asyncio's error when every address was skipped; each skipped address's error is suppressed in it. */
    BindException noneLeft(Collection<InetSocketAddress> addresses) {
        BindException none = new BindException("could not bind on any address out of " + addresses
                + " (none is held by an interface of this host, or the JDK has no socket of its family)");
        skipped.forEach(none::addSuppressed);
        return none;
    }
}
