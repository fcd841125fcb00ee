/**
 * Runnable example programs on the default loop: {@link dev.asyncloop.examples.EchoServer} (protocol),
 * {@link dev.asyncloop.examples.BufferedEchoServer} (buffered protocol),
 * {@link dev.asyncloop.examples.StreamsEchoServer} and {@link dev.asyncloop.examples.EchoClient} (streams),
 * {@link dev.asyncloop.examples.HttpHelloServer} (buffered protocol, HTTP/1.1 keep-alive and pipelining) and
 * {@link dev.asyncloop.examples.ChatServer} (streams, broadcast). Each server takes {@code --host} and
 * {@code --port} (0 = ephemeral), prints {@code READY <port>} once listening and exits cleanly on SIGTERM or
 * Ctrl-C; {@link dev.asyncloop.examples.ServerApp} holds that shared part.
 */
package dev.asyncloop.examples;
