/**
 * The Linux loop over epoll, provider name {@code epoll}. It reaches the JDK's {@code sun.nio.ch.EPoll}, so the
 * JVM must open that package to it: {@code --add-opens java.base/sun.nio.ch=dev.asyncloop.epoll} on the module
 * path ({@code =ALL-UNNAMED} on the class path). Without it the provider reports itself unavailable. With
 * {@code --enable-native-access=dev.asyncloop.epoll} as well, the loop reads and writes its sockets with heap
 * arrays through foreign downcalls, without copying the bytes through direct memory.
 */
module dev.asyncloop.epoll {
    requires dev.asyncloop;
    requires static com.google.auto.service;
    requires static org.jspecify;

    exports dev.asyncloop.epoll;

    provides dev.asyncloop.spi.EventLoopProvider with dev.asyncloop.epoll.EpollEventLoopProvider;
}
