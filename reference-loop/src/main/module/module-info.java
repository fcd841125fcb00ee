/**
 * The portable reference loop on {@link java.nio.channels.Selector}, provider name {@code nio}.
 */
module dev.asyncloop.nio {
    requires dev.asyncloop;
    requires static com.google.auto.service;
    requires static org.jspecify;

    exports dev.asyncloop.nio;

    provides dev.asyncloop.spi.EventLoopProvider with dev.asyncloop.nio.NioEventLoopProvider;
}
