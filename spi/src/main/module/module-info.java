/**
 * asyncloop's SPI module: the application API in {@code dev.asyncloop} and the loop author's API in
 * {@code dev.asyncloop.spi}.
 *
 * <p>Loops are {@link dev.asyncloop.spi.EventLoopProvider} services, found on the module path through
 * {@code provides} and on the class path through {@code META-INF/services}.
 *
 * <p>JVM flags for this module on the module path (on the class path, {@code =ALL-UNNAMED}): {@code --add-exports
 * java.base/jdk.internal.vm=dev.asyncloop} for the continuation engine, and {@code --add-exports
 * java.base/sun.nio.ch=dev.asyncloop} for {@link dev.asyncloop.spi.ChannelDescriptors} (a loop that has
 * {@code sun.nio.ch} opened to its own module may pass the opening on instead, as the epoll loop does).
 */
module dev.asyncloop {
    // The loop logs through System.Logger; java.logging in the module graph routes it to java.util.logging, as on
    // the class path. No exported signature uses it, so a user does not read it through this module.
    requires java.logging;
    requires org.jctools.core;
    requires jdk.unsupported;
    requires transitive com.google.common;
    // JSpecify's @NullMarked/@Nullable in the API's signatures: needed to compile against them, not at run time
    requires static transitive org.jspecify;

    exports dev.asyncloop;
    exports dev.asyncloop.spi;

    uses dev.asyncloop.spi.EventLoopProvider;
}
