package dev.asyncloop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.security.GeneralSecurityException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** {@code Async.await(future, exceptionType)}: a checked failure of that type thrown as itself, the rest as await. */
class AwaitCheckedTest extends LoopFixture {

    /** Fails {@code future} with {@code e} one iteration later, so that the await really suspends. */
    private <T> Future<T> failingLater(Exception e) {
        Future<T> future = loop.createFuture();
        loop.callSoon(() -> future.setException(e));
        return future;
    }

    @Test
    void aFailureOfTheTypeIsThrownAsItself() {
        ConnectException refused = new ConnectException("Connection refused: 127.0.0.1:1");
        IOException thrown = run(() -> assertThrows(IOException.class,
                () -> Async.await(failingLater(refused), IOException.class)));
        assertSame(refused, thrown, "the future's own exception, a subclass of the type asked for");
        Future<String> done = loop.createFuture();
        done.setException(refused);
        assertSame(refused, run(() -> assertThrows(ConnectException.class,
                () -> Async.await(done, ConnectException.class))), "a done future, without suspending");
    }

    @Test
    void aResultIsReturned() {
        Future<String> future = loop.createFuture();
        loop.callSoon(() -> future.setResult("data"));
        assertEquals("data", run(() -> Async.await(future, IOException.class)));
    }

    @Test
    void otherFailuresPassAsAwaitPassesThem() throws Exception {
        GeneralSecurityException other = new GeneralSecurityException("not an I/O error");
        CompletionException wrapped = run(() -> assertThrows(CompletionException.class,
                () -> Async.await(failingLater(other), IOException.class)));
        assertSame(other, wrapped.getCause(), "another checked type stays wrapped, as await(future) wraps it");

        IllegalArgumentException unchecked = new IllegalArgumentException("bad");
        assertSame(unchecked, run(() -> assertThrows(IllegalArgumentException.class,
                () -> Async.await(failingLater(unchecked), IOException.class))));

        // a CompletionException the future holds is the future's exception, not result()'s wrapping: not unwrapped
        IOException inner = new IOException("inner");
        CompletionException held = new CompletionException(inner);
        assertSame(held, run(() -> assertThrows(CompletionException.class,
                () -> Async.await(failingLater(held), IOException.class))));

        Future<String> cancelled = loop.createFuture();
        loop.callSoon(() -> cancelled.cancel());
        run(() -> assertThrows(CancelledError.class, () -> Async.await(cancelled, IOException.class)));
    }

    @Test
    void anUncheckedTypeIsRefusedBeforeWaiting() {
        Future<String> pending = loop.createFuture();
        IllegalArgumentException e = run(() -> assertThrows(IllegalArgumentException.class,
                () -> Async.await(pending, IllegalStateException.class)));
        assertTrue(e.getMessage().contains("java.lang.IllegalStateException")
                && e.getMessage().contains("checked exception type"), e.getMessage());
        assertTrue(!pending.isDone(), "nothing was awaited");
    }

    @Test
    void outsideATaskItIsRefusedAsAwait() {
        Future<String> pending = loop.createFuture();
        assertThrows(IllegalStateException.class, () -> Async.await(pending, IOException.class));
    }
}
