/**
 * Runnable example programs on the default loop: {@link dev.asyncloop.examples.EchoServer} (protocol),
 * {@link dev.asyncloop.examples.BufferedEchoServer} (buffered protocol),
 * {@link dev.asyncloop.examples.StreamsEchoServer} and {@link dev.asyncloop.examples.EchoClient} (streams),
 * {@link dev.asyncloop.examples.HttpHelloServer} (buffered protocol, HTTP/1.1 keep-alive and pipelining),
 * {@link dev.asyncloop.examples.ChatServer} (streams, broadcast) and
 * {@link dev.asyncloop.examples.GroupEchoServer} (the protocol echo served by an
 * {@link dev.asyncloop.EventLoopGroup} of {@code --loops N} loops), {@link dev.asyncloop.examples.TlsEchoServer}
 * (streams over TLS) and {@link dev.asyncloop.examples.RunCommand} (a child process through
 * {@link dev.asyncloop.Subprocesses}, its output streamed line by line). Three programs show the library at work:
 * {@link dev.asyncloop.examples.TcpProxy} (a streams proxy with back-pressure, half-close and a connect timeout),
 * {@link dev.asyncloop.examples.FetchAll} (concurrent HTTP fetches with a limit, timeouts, retries and Ctrl-C) and
 * {@link dev.asyncloop.examples.JobRunner} (shell commands on worker tasks with per-job timeouts). Each server takes
 * {@code --host} and {@code --port} (0 = ephemeral; {@code TcpProxy}: {@code --listen-host} and
 * {@code --listen-port}), prints {@code READY <port>} once listening and exits cleanly on SIGTERM or Ctrl-C; {@link dev.asyncloop.examples.ServerApp} holds that shared part for all but {@code GroupEchoServer},
 * whose {@code READY} line also names its loops and mode. The subpackage {@code dev.asyncloop.examples.poll} is a
 * loop of its own, over POSIX {@code poll(2)}, run only when named ({@code -Dasyncloop.loop=poll}): the worked
 * example of {@code docs/writing-a-loop.md}.
 */
@NullMarked
package dev.asyncloop.examples;

import org.jspecify.annotations.NullMarked;
