package dev.asyncloop.examples;

import dev.asyncloop.spi.ChannelDescriptors;
import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Run by {@link ModulePathTest} with asyncloop's jars on the module path: prints the module
 * {@link ChannelDescriptors} is in, its unavailability cause, and a socket channel's descriptor or what
 * {@code fd} threw.
 */
public final class ChannelDescriptorsProbe {
    private ChannelDescriptorsProbe() {
    }

    /**
     * Prints one line: {@code module=<module> cause=<cause or none> fd=<number or exception class>}.
     *
     * @param args ignored
     * @throws IOException if the channel cannot be opened
     */
    public static void main(String[] args) throws IOException {
        String fd;
        try (SocketChannel channel = SocketChannel.open()) {
            fd = ChannelDescriptors.fd(channel) >= 0 ? "non-negative" : "negative";
        } catch (IllegalStateException e) {
            fd = e.getClass().getSimpleName();
        }
        System.out.println("module=" + ChannelDescriptors.class.getModule().getName() + " cause="
                + ChannelDescriptors.unavailabilityCause().orElse("none") + " fd=" + fd);
    }
}
