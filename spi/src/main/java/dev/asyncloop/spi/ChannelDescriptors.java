package dev.asyncloop.spi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.channels.SelectableChannel;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The file descriptor of a JDK channel, for a {@link Poller} that hands descriptors to the kernel itself
 * ({@code poll(2)}, epoll, kqueue through {@code java.lang.foreign}) instead of registering channels with a
 * {@link java.nio.channels.Selector}.
 *
 * <p>The JDK's own channels (those its built-in {@link java.nio.channels.spi.SelectorProvider} opens, the only
 * ones a JDK {@code Selector} accepts: socket, server socket, datagram, Unix-domain and pipe channels) keep their
 * descriptor in {@code sun.nio.ch}, a package {@code java.base} does not export. The JVM must therefore export it
 * to this module: {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} when asyncloop's jars are on the class
 * path, {@code --add-exports java.base/sun.nio.ch=dev.asyncloop} when they are on the module path
 * ({@code --add-opens} works as well, as it implies the export). A module that has the package opened to it may
 * pass the opening on with {@code Module.addOpens} (the JDK lets only an opening be passed on, not an export);
 * the epoll loop does so, which is why its one {@code --add-opens ...=dev.asyncloop.epoll} is enough on the
 * module path. Without the flag, {@link #unavailabilityCause()} names it, in the words a provider's
 * {@link EventLoopProvider#unavailabilityCause()} reports, and {@link #fd} throws.
 *
 * <p>Every method may be called from any thread. Access is checked at each call until it is found, then
 * remembered; after that {@link #fd} costs a type check and one method-handle call that reads a final field.
 */
public final class ChannelDescriptors {
    private static final String PACKAGE = "sun.nio.ch";
    /** {@code sun.nio.ch.SelChImpl}, which every JDK channel implements; null when this JDK has none. */
    private static final @Nullable Class<?> SEL_CH_IMPL;
    /** Why this JDK's internals do not fit (no {@code SelChImpl.getFDVal}); null when they do. */
    private static final @Nullable String INTERNALS_CHANGED;

    /** Set once {@code sun.nio.ch} was found exported to this module (access is never taken back). */
    private static volatile boolean reachable;

    static {
        Class<?> type = null;
        String changed = null;
        try {
            type = Class.forName(PACKAGE + ".SelChImpl");
            Method getter = type.getMethod("getFDVal");
            if (getter.getReturnType() != int.class || Modifier.isStatic(getter.getModifiers())) {
                changed = "JDK internals changed: " + getter;
            }
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            changed = "JDK internals changed: " + e;
        }
        if (changed != null) {
            type = null;
            changed += " (asyncloop reads a channel's descriptor with JDK 25's sun.nio.ch.SelChImpl.getFDVal())";
        }
        SEL_CH_IMPL = type;
        INTERNALS_CHANGED = changed;
    }

    private ChannelDescriptors() {
    }

    /**
     * Returns the file descriptor of a JDK channel: the number the operating system gave it, non-negative,
     * distinct among open descriptors (on Windows, the socket handle's value).
     *
     * <p>A closed channel still returns the number it had, and the system may already have given that number to
     * a descriptor opened since: keep the channel beside its number, and never poll or report a slot whose
     * channel is no longer {@link SelectableChannel#isOpen() open} (TCK rules PC1.18 and N1.11).
     *
     * @param channel a channel of the JDK's built-in provider, open or closed
     * @return its file descriptor
     * @throws IllegalArgumentException if the channel is not one of the JDK's own (another
     *     {@link java.nio.channels.spi.SelectorProvider}'s, or a class of the application's): it has no
     *     descriptor to read, whatever the JVM's flags
     * @throws IllegalStateException if the JVM does not export {@code sun.nio.ch} to this module; the message ends
     *     with {@link #unavailabilityCause()}, the flag to add
     */
    public static int fd(SelectableChannel channel) {
        Objects.requireNonNull(channel, "channel");
        if (SEL_CH_IMPL != null && !SEL_CH_IMPL.isInstance(channel)) {
            throw new IllegalArgumentException("channel " + channel + " is a " + channel.getClass().getName()
                    + " of the SelectorProvider " + channel.provider() + ", not one of the JDK's own channels, and"
                    + " has no file descriptor to read; pass a channel the JDK opened (SocketChannel.open(),"
                    + " Pipe.open(), ...)");
        }
        if (!reachable) {
            String cause = currentCause();
            if (cause != null) {
                throw new IllegalStateException("cannot read the file descriptor of " + channel + ": " + cause);
            }
            reachable = true;
        }
        try {
            return (int) Getter.FD_VAL.invokeExact(channel);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("getFDVal() of " + channel + " threw", t);
        }
    }

    /**
     * Tells why {@link #fd} cannot read descriptors in this JVM, in one sentence that says what to do about it,
     * as {@link EventLoopProvider#unavailabilityCause()} does: "add --add-exports java.base/sun.nio.ch=ALL-UNNAMED
     * to the JVM command line" ({@code =dev.asyncloop} when this module is named), or "JDK internals changed: ..."
     * on a JDK without {@code sun.nio.ch.SelChImpl.getFDVal()}. A loop that needs descriptors returns it from its
     * provider (or its own cause first, when it has one).
     *
     * @return empty when {@link #fd} works, else the reason
     */
    public static Optional<String> unavailabilityCause() {
        return reachable ? Optional.empty() : Optional.ofNullable(currentCause());
    }

    private static @Nullable String currentCause() {
        if (INTERNALS_CHANGED != null) {
            return INTERNALS_CHANGED;
        }
        Module self = ChannelDescriptors.class.getModule();
        if (!Object.class.getModule().isExported(PACKAGE, self)) {
            return "add --add-exports java.base/" + PACKAGE + "=" + (self.isNamed() ? self.getName() : "ALL-UNNAMED")
                    + " to the JVM command line";
        }
        return null;
    }

    /** The getter, looked up on first use, once {@code sun.nio.ch} is known to be exported to this module. */
    private static final class Getter {
        static final MethodHandle FD_VAL;

        static {
            try {
                FD_VAL = MethodHandles.lookup()
                        .findVirtual(Objects.requireNonNull(SEL_CH_IMPL), "getFDVal", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, SelectableChannel.class));
            } catch (ReflectiveOperationException e) {
                throw new LinkageError("sun.nio.ch.SelChImpl.getFDVal() is exported but cannot be looked up", e);
            }
        }

        private Getter() {
        }
    }
}
