package dev.asyncloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Group "callbacks & ordering": rules L1.x. */
abstract class CallbackRules extends ConformanceGroup {
    CallbackRules(EventLoopConformanceSuite suite) {
        super(suite);
    }

    @Test
    @DisplayName("L1.1 callSoon callbacks run FIFO, each exactly once")
    void required_L1_1_callSoonRunsFifo() {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            loop.callSoon(() -> order.add(n));
        }
        loop.callSoon(loop::stop);
        runForever("L1.1", DEFAULT_WAIT);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add(i);
        }
        assertEquals(expected, order, msg("L1.1", "callSoon callbacks must run in the order they were scheduled,"
                + " each once; check the ready queue is FIFO"));
    }
}
