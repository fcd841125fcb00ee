package dev.asyncloop.examples;

import dev.asyncloop.Coroutine;
import dev.asyncloop.EventLoop;
import dev.asyncloop.spi.EventLoops;

/** A {@link ForkedExample} stand-in that prints the coroutine engine, default loop and debug mode its JVM gets. */
final class EngineProbe {
    private EngineProbe() {
    }

    /** This JVM's coroutine engine, default loop and a new loop's debug mode, in one line. */
    static String describe() {
        try (EventLoop loop = EventLoops.newEventLoop()) {
            return "engine=" + Coroutine.engineName() + " loop=" + EventLoops.select().provider().name()
                    + " debug=" + loop.getDebug();
        }
    }

    public static void main(String[] args) {
        System.out.println(describe());
    }
}
