/**
 * The loop author's API: what a new event loop implements or reuses.
 *
 * <ul>
 *   <li>{@link dev.asyncloop.spi.BaseEventLoop}: all of {@link dev.asyncloop.EventLoop} over two hooks,
 *       {@code poll} and {@code wakeup}, with asyncio's {@code _run_once} rules.</li>
 *   <li>{@link dev.asyncloop.spi.BaseFuture} and {@link dev.asyncloop.spi.BaseTask}: asyncio's "private
 *       constructors", reusable by any loop.</li>
 *   <li>{@link dev.asyncloop.spi.TaskRegistry} and {@link dev.asyncloop.spi.RunningLoops}: what a loop or
 *       task written from scratch must call so that {@code Async.allTasks()}, {@code Async.currentTask()}
 *       and {@code Async.getRunningLoop()} see it.</li>
 *   <li>{@link dev.asyncloop.spi.EventLoopProvider} and {@link dev.asyncloop.spi.EventLoops}: discovery
 *       with {@link java.util.ServiceLoader} and selection with {@code -Dasyncloop.loop}; a provider claims
 *       the optional features its loop offers as {@link dev.asyncloop.spi.Capability} values (those of the
 *       readiness base on this platform are {@link dev.asyncloop.spi.ReadinessCapabilities#supported()}).</li>
 *   <li>{@link dev.asyncloop.spi.ReadinessEventLoop} over a {@link dev.asyncloop.spi.Poller} (with
 *       {@link dev.asyncloop.spi.SelectorPoller} as the portable one): transports, servers, {@code sock*}
 *       operations and reader/writer callbacks for any loop with I/O readiness, and optionally a
 *       {@link dev.asyncloop.spi.HeapIo} for socket I/O on heap arrays without copies; a poller that hands file
 *       descriptors to the kernel ({@code poll(2)}, epoll, kqueue) gets a JDK channel's from
 *       {@link dev.asyncloop.spi.ChannelDescriptors}, when the JVM exports {@code java.base/sun.nio.ch} to
 *       asyncloop.</li>
 *   <li>{@link dev.asyncloop.spi.TlsLayer}: TLS as a protocol over any stream transport, behind
 *       {@code EventLoop.startTls} and a loop's {@code ssl} connections and servers.</li>
 *   <li>{@link dev.asyncloop.spi.SubprocessSpawner}: child processes for any loop, behind
 *       {@code EventLoop.subprocessExec}, {@code subprocessShell} and {@code subprocessPipeline}; a loop written
 *       from scratch calls its {@code closeAll} from {@code close()}.</li>
 * </ul>
 *
 * <p>Threading, memory visibility and nulls are as defined in the {@link dev.asyncloop} package documentation.
 * {@code docs/writing-a-loop.md} walks through writing a loop; {@code docs/tck-rules.md} lists the numbered
 * rules the conformance kit checks.
 */
@NullMarked
package dev.asyncloop.spi;

import org.jspecify.annotations.NullMarked;
