package dev.asyncloop;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * asyncio's {@code SubprocessTransport}: a child process and the pipe transports of its standard streams, made
 * by {@link EventLoop#subprocessExec} or {@link EventLoop#subprocessShell}.
 *
 * <p><b>Threads.</b> Every method is for the loop thread only, like the protocol callbacks that call them.
 *
 * <p><b>Signals.</b> {@link #terminate()} and {@link #kill()} are SIGTERM and SIGKILL on POSIX systems
 * ({@link ProcessHandle#destroy()}, {@link ProcessHandle#destroyForcibly()}), and work on every platform.
 * {@link #sendSignal(String)} sends any signal on POSIX systems through the C library's {@code kill(2)}, a foreign
 * function call: run the JVM with {@code --enable-native-access=ALL-UNNAMED} (or {@code =dev.asyncloop} on the
 * module path), else Java 25 prints a warning about a restricted method the first time.
 */
public interface SubprocessTransport {
    /** Key of {@link #getExtraInfo}: the {@link Process} (read it; never read or close its streams directly). */
    String SUBPROCESS = "subprocess";

    /**
     * Returns the child's process id.
     *
     * @return the pid
     */
    long pid();

    /**
     * Returns how the child exited, once the transport saw it exit (from {@link SubprocessProtocol#processExited}
     * on). This is {@link Process#exitValue()}: the exit status, or on POSIX systems 128 + the signal number for a
     * child killed by a signal (asyncio reports {@code -signal}, which the JDK does not tell apart).
     *
     * @return the return code, or empty while the child runs (or its exit is not yet seen)
     */
    OptionalInt returnCode();

    /**
     * Returns the pipe transport of one of the child's standard streams: a {@link WriteTransport} for
     * {@link SubprocessProtocol#STDIN}, a {@link ReadTransport} for {@link SubprocessProtocol#STDOUT} and
     * {@link SubprocessProtocol#STDERR}.
     *
     * @param fd 0, 1 or 2
     * @return the transport, or empty if that stream is not a pipe ({@link SubprocessOptions})
     * @throws IllegalArgumentException if {@code fd} is not 0, 1 or 2
     */
    Optional<Transport> getPipeTransport(int fd);

    /**
     * Asks the child to stop: SIGTERM on POSIX systems ({@link Process#destroy()}). Does nothing if the child has
     * exited but the transport is not finished yet.
     *
     * @throws IllegalStateException once the transport is finished ({@link SubprocessProtocol#connectionLost}
     *     has returned; asyncio's {@code ProcessLookupError})
     */
    void terminate();

    /**
     * Kills the child: SIGKILL on POSIX systems ({@link Process#destroyForcibly()}). Does nothing if the child
     * has exited but the transport is not finished yet.
     *
     * @throws IllegalStateException once the transport is finished ({@link SubprocessProtocol#connectionLost}
     *     has returned; asyncio's {@code ProcessLookupError})
     */
    void kill();

    /**
     * Sends a signal to the child (asyncio's {@code send_signal}). {@code signal} is named as in
     * {@link EventLoop#addSignalHandler}: {@code "USR1"} or {@code "SIGUSR1"}, upper case, any signal this platform
     * knows (also those no handler may take, such as {@code "STOP"}, {@code "CONT"} and {@code "USR2"}); the number
     * is this platform's (SIGUSR1 is 10 on Linux, 30 on macOS). {@code "TERM"} is {@link #terminate()} and
     * {@code "KILL"} is {@link #kill()}, on every platform; any other signal is sent with {@code kill(2)}, on
     * POSIX systems only. As with {@link #terminate()}, the call does nothing if the child has exited but the
     * transport is not finished yet. A child killed by a signal has the return code 128 + its number.
     *
     * <p>The C library is called through {@link java.lang.foreign}: without
     * {@code --enable-native-access=ALL-UNNAMED} ({@code =dev.asyncloop} on the module path) Java 25 prints a
     * warning the first time; under {@code --illegal-native-access=deny} only SIGTERM and SIGKILL can be sent.
     *
     * @param signal the signal's name
     * @throws NullPointerException if {@code signal} is null
     * @throws IllegalArgumentException if this platform knows no signal of that name
     * @throws UnsupportedOperationException on Windows for any signal but SIGTERM and SIGKILL (there is no
     *     {@code kill(2)}), or if the JVM denies native access ({@code --illegal-native-access=deny}) or cannot
     *     name signals (no {@code jdk.unsupported} module)
     * @throws IllegalStateException once the transport is finished ({@link SubprocessProtocol#connectionLost}
     *     has returned; asyncio's {@code ProcessLookupError})
     * @throws java.io.UncheckedIOException if the system refuses to deliver it (for instance {@code EPERM})
     */
    void sendSignal(String signal);

    /**
     * Closes the transport: closes every pipe transport and kills the child if it is still running (asyncio's
     * {@code close()}). The protocol still gets {@code pipeConnectionLost}, {@code processExited} and
     * {@code connectionLost} as the pipes close and the child exits. Idempotent.
     */
    void close();

    /**
     * Tells whether {@link #close()} was called.
     *
     * @return true once closing
     */
    boolean isClosing();

    /**
     * Returns optional information about the transport: {@link #SUBPROCESS}.
     *
     * @param key the name of the information
     * @return its value, or empty when unknown
     */
    Optional<Object> getExtraInfo(String key);

    /**
     * {@link #getExtraInfo(String)} with the value cast to {@code type}, e.g.
     * {@code getExtraInfo(PEERNAME, InetSocketAddress.class)}. Same threads as {@link #getExtraInfo(String)}.
     *
     * @param key the name of the information
     * @param type the class the value is expected to be an instance of
     * @param <T> the value's type
     * @return the value, or empty when unknown
     * @throws NullPointerException if an argument is null
     * @throws ClassCastException if the value is not a {@code type}; the message names the key and both types
     */
    default <T> Optional<T> getExtraInfo(String key, Class<T> type) {
        return ExtraInfo.as(key, type, this::getExtraInfo);
    }

    /**
     * Replaces the protocol the transport calls; later events go to {@code protocol}.
     *
     * @param protocol the new protocol
     * @throws NullPointerException if {@code protocol} is null
     */
    void setProtocol(SubprocessProtocol protocol);

    /**
     * Returns the protocol the transport calls.
     *
     * @return the current protocol
     */
    SubprocessProtocol getProtocol();
}
