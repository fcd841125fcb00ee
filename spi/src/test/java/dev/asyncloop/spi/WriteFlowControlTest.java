package dev.asyncloop.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.ExceptionContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** asyncio's {@code _FlowControlMixin}: the marks, their defaults and the once-only pause and resume. */
class WriteFlowControlTest {
    private final ReadinessEventLoop loop = SelectorLoops.newLoop();
    private final WriteFlowControl flow = new WriteFlowControl(loop);

    @AfterEach
    void tearDown() {
        loop.close();
    }

    @Test
    void defaultsAndTheRulesWhenOnlyOneMarkIsGiven() {
        assertEquals(64 * 1024, flow.highWater());
        assertEquals(16 * 1024, flow.lowWater());
        flow.setLimits(null, 100);
        assertEquals(400, flow.highWater(), "high defaults to 4 x low");
        assertEquals(100, flow.lowWater());
        flow.setLimits(1000, null);
        assertEquals(1000, flow.highWater());
        assertEquals(250, flow.lowWater(), "low defaults to high / 4");
        flow.setLimits(null, null);
        assertEquals(64 * 1024, flow.highWater(), "no marks: the defaults again");
        assertEquals(16 * 1024, flow.lowWater());
        flow.setLimits(0, 0);
        assertEquals(0, flow.highWater());
        assertEquals(0, flow.lowWater());
    }

    @Test
    void refusesLowAboveHighOrBelowZeroAndKeepsTheOldMarks() {
        flow.setLimits(1000, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> flow.setLimits(10, 20));
        assertTrue(e.getMessage().contains("10") && e.getMessage().contains("20"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> flow.setLimits(10, -1));
        assertThrows(IllegalArgumentException.class, () -> flow.setLimits(-4, null));
        assertEquals(1000, flow.highWater());
        assertEquals(100, flow.lowWater());
    }

    @Test
    void aLowMarkWhoseDefaultHighDoesNotFitAnIntGetsTheLargestHigh() {
        flow.setLimits(null, 1 << 30);
        assertEquals(Integer.MAX_VALUE, flow.highWater(), "4 x low is more than an int holds");
        assertEquals(1 << 30, flow.lowWater());
    }

    @Test
    void pausesOnceAboveHighAndResumesOnceAtOrBelowLow() {
        flow.setLimits(100, 10);
        assertFalse(flow.pauseNeeded(100), "at the high mark: no pause (asyncio: size <= high)");
        assertTrue(flow.pauseNeeded(101));
        assertFalse(flow.pauseNeeded(200), "already paused");
        assertTrue(flow.isPaused());
        assertFalse(flow.resumeNeeded(11), "above the low mark: still paused");
        assertTrue(flow.resumeNeeded(10), "at the low mark: resume");
        assertFalse(flow.resumeNeeded(0), "already resumed");
        assertFalse(flow.isPaused());
    }

    @Test
    void aThrowingCallbackIsReportedWithTransportAndProtocol() {
        List<ExceptionContext> reports = new ArrayList<>();
        loop.setExceptionHandler((l, context) -> reports.add(context));
        Object transport = new Object();
        Object protocol = new Object();
        IllegalStateException boom = new IllegalStateException("boom");
        flow.notifyProtocol(transport, protocol, () -> {
            throw boom;
        }, "pauseWriting");
        assertEquals(1, reports.size());
        assertEquals("protocol.pauseWriting() failed", reports.getFirst().message());
        assertSame(boom, reports.getFirst().exception().orElseThrow());
        assertSame(transport, reports.getFirst().transport().orElseThrow());
        assertSame(protocol, reports.getFirst().protocol().orElseThrow());
    }
}
