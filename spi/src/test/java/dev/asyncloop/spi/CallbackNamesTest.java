package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.ExceptionContext;
import dev.asyncloop.Future;
import dev.asyncloop.Handle;
import dev.asyncloop.TimerHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reports name a lambda by the class that wrote it, not by its hidden class's run-dependent name. */
class CallbackNamesTest {
    private static final String HERE = "lambda in " + CallbackNamesTest.class.getName();
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();

    @AfterEach
    void close() {
        loop.close();
    }

    private static void nothing() {
    }

    @Test
    void lambdasAndMethodReferencesAreNamedByTheirClass() {
        Runnable lambda = () -> { };
        Runnable reference = CallbackNamesTest::nothing;
        assertEquals(HERE, CallbackNames.describe(lambda));
        assertEquals(HERE, CallbackNames.describe(reference));
    }

    @Test
    void otherCallbacksKeepTheirOwnToString() {
        Runnable named = new Runnable() {
            @Override
            public void run() {
            }

            @Override
            public String toString() {
                return "flush the buffers";
            }
        };
        assertEquals("flush the buffers", CallbackNames.describe(named));
        Runnable anonymous = new Runnable() {
            @Override
            public void run() {
            }
        };
        assertEquals(anonymous.toString(), CallbackNames.describe(anonymous), "an anonymous class is not hidden");
    }

    @Test
    void handlesTimersAndReportsUseTheName() {
        loop.setDebug(false); // the names alone; debug mode adds where each handle was made (below)
        Handle handle = loop.callSoon(() -> { });
        TimerHandle timer = loop.callLater(Duration.ofHours(1), CallbackNamesTest::nothing);
        assertEquals("Handle[" + HERE + "]", handle.toString());
        assertTrue(timer.toString().endsWith(", " + HERE + "]"), timer.toString());
        timer.cancel();

        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reports.add(context));
        loop.callSoon(() -> {
            throw new IllegalStateException("boom");
        });
        Future<String> future = loop.createFuture();
        future.addDoneCallback(f -> {
            throw new IllegalStateException("boom in a done callback");
        });
        future.setResult("x");
        loop.callSoon(loop::stop);
        loop.runForever();
        assertEquals(2, reports.size(), reports.toString());
        for (ExceptionContext report : reports) {
            assertEquals("Exception in callback Handle[" + HERE + "]", report.message());
        }
    }

    @Test
    void inDebugModeTheNameComesFirstThenWhereTheHandleWasMade() {
        loop.setDebug(true);
        ReadyHandle handle = (ReadyHandle) loop.callSoon(() -> { });
        assertEquals("Handle[" + HERE + ", created at " + handle.sourceTraceback.get(0) + "]", handle.toString());
    }
}
