package dev.asyncloop.examples;

import dev.asyncloop.Async;
import dev.asyncloop.Future;
import dev.asyncloop.LimitOverrunError;
import dev.asyncloop.Server;
import dev.asyncloop.ServerOptions;
import dev.asyncloop.StreamReader;
import dev.asyncloop.StreamWriter;
import dev.asyncloop.Streams;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;

/**
 * A line-based chat server written with streams: every line a client sends goes to every other client as
 * {@code <nick> line}. A client starts as {@code guest-N}; {@code /nick NAME} renames it, {@code /quit} leaves.
 * Joins, renames and leaves are announced as lines starting with {@code * }. Lines over 1 KiB are refused.
 *
 * <p>A client that does not read its messages is disconnected once more than {@value #MAX_BACKLOG} bytes are
 * waiting for it, so that one slow client cannot make the server buffer without bound or hold up the others
 * (broadcasts do not wait in {@code drain()} for each receiver).
 *
 * <p>{@code ChatServer [--host HOST] [--port PORT]} (default 127.0.0.1:8890; port 0 = ephemeral) prints
 * {@code READY <port>} once listening and stops on SIGTERM or Ctrl-C.
 *
 * <p><b>Threads.</b> All state is touched on the loop thread only, by the per-client tasks.
 */
public final class ChatServer {
    /** The port without {@code --port}. */
    public static final int DEFAULT_PORT = 8890;
    /** Bytes queued for one client above which it is disconnected. */
    static final int MAX_BACKLOG = 1024 * 1024;
    static final int MAX_LINE = 1024;

    private final Map<StreamWriter, String> clients = new LinkedHashMap<>();
    private int guests;

    private ChatServer() {
    }

    /**
     * Runs the server until SIGTERM or Ctrl-C.
     *
     * @param args {@code --host HOST --port PORT}
     */
    public static void main(String[] args) {
        app().runMain(args, DEFAULT_PORT);
    }

    /**
     * Returns a runnable instance with an empty room, for tests and embedding.
     *
     * @return the app
     */
    public static ServerApp app() {
        ChatServer room = new ChatServer();
        return new ServerApp("ChatServer", (host, port) -> room.start(host, port));
    }

    Future<Server> start(String host, int port) {
        return Streams.startServer(this::serve, host, port, ServerOptions.defaults(), MAX_LINE);
    }

    /** One task per client. */
    void serve(StreamReader reader, StreamWriter writer) {
        String nick = "guest-" + (++guests);
        clients.put(writer, nick);
        send(writer, "* Welcome, " + nick + "! /nick NAME renames you, /quit leaves.");
        broadcast(writer, "* " + nick + " joined");
        try {
            while (true) {
                byte[] raw;
                try {
                    raw = Async.await(reader.readLine());
                } catch (LimitOverrunError tooLong) {
                    send(writer, "* line too long (max " + MAX_LINE + " bytes), ignored");
                    continue;
                }
                if (raw.length == 0) {
                    break; // the client went away
                }
                String line = new String(raw, StandardCharsets.UTF_8).strip();
                if (line.equals("/quit")) {
                    send(writer, "* Bye!");
                    break;
                } else if (line.startsWith("/nick ")) {
                    String wanted = line.substring(6).strip();
                    if (wanted.isEmpty() || wanted.contains(" ") || clients.containsValue(wanted)) {
                        send(writer, "* nick '" + wanted + "' is not available");
                    } else {
                        String old = clients.put(writer, wanted);
                        send(writer, "* you are now " + wanted);
                        broadcast(writer, "* " + old + " is now known as " + wanted);
                    }
                } else if (!line.isEmpty()) {
                    broadcast(writer, "<" + clients.get(writer) + "> " + line);
                }
                if (writer.isClosing()) {
                    break; // disconnected as a slow consumer
                }
            }
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof IOException)) {
                throw e;
            }
            // The client reset the connection: it left, nothing to report.
        } finally {
            String name = clients.remove(writer);
            if (name != null) {
                broadcast(writer, "* " + name + " left");
            }
            writer.close();
        }
    }

    private void broadcast(StreamWriter from, String line) {
        for (StreamWriter w : new ArrayList<>(clients.keySet())) {
            if (w != from) {
                send(w, line);
            }
        }
    }

    private void send(StreamWriter to, String line) {
        if (to.isClosing()) {
            return;
        }
        to.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        if (to.transport().getWriteBufferSize() > MAX_BACKLOG) {
            to.transport().abort();
        }
    }
}
