/**
 * A third event loop, over POSIX {@code poll(2)} through {@code java.lang.foreign}: the complete worked example of
 * {@code docs/writing-a-loop.md}. {@link dev.asyncloop.examples.poll.PollPoller} is the
 * {@link dev.asyncloop.spi.Poller} (descriptors from {@link dev.asyncloop.spi.ChannelDescriptors}),
 * {@link dev.asyncloop.examples.poll.PollLoop} hands it to {@link dev.asyncloop.spi.ReadinessEventLoop}, and
 * {@link dev.asyncloop.examples.poll.PollLoopProvider} registers it as {@code poll} (priority -5, never the default).
 * Run any example on it with {@code --enable-native-access=ALL-UNNAMED --add-exports
 * java.base/sun.nio.ch=ALL-UNNAMED -Dasyncloop.loop=poll}.
 */
@NullMarked
package dev.asyncloop.examples.poll;

import org.jspecify.annotations.NullMarked;
