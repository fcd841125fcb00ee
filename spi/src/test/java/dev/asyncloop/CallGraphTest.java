package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asyncloop.spi.BaseFuture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link CallGraph}, asyncio 3.14's call-graph introspection, in the spirit of CPython's test_graph. Runs on both
 * coroutine engines (the build runs every test on each).
 */
class CallGraphTest extends LoopFixture {

    // ------------------------------------------------------------------ the current task

    @Test
    @DisplayName("capture() in a task: the task, its stack from the caller of capture down to its body, no engine"
            + " frame")
    void currentTask() {
        CallGraph graph = run(() -> outerFrame());
        assertEquals("main", ((Task<?>) graph.future()).getName());
        List<String> methods = methods(graph.callStack());
        assertEquals(List.of("innerFrame", "outerFrame"), methods.subList(0, 2), methods.toString());
        assertTrue(methods.get(methods.size() - 1).startsWith("lambda$"), "the body is the bottom frame: " + methods);
        assertNoEngineFrame(graph.callStack());
        assertEquals(List.of(), graph.awaitedBy());
    }

    private static CallGraph outerFrame() {
        return innerFrame();
    }

    private static CallGraph innerFrame() {
        return CallGraph.capture().orElseThrow();
    }

    @Test
    @DisplayName("capture(currentTask) reads the live stack; capture() in a plain callback is empty; without a"
            + " running loop and future it throws")
    void currentTaskByNameCallbackAndNoLoop() {
        CallGraph graph = run(() -> innerFrameOf(current()));
        assertEquals("innerFrameOf", graph.callStack().get(0).getMethodName());

        Future<Optional<CallGraph>> inCallback = loop.createFuture();
        loop.callSoon(() -> inCallback.setResult(CallGraph.capture()));
        assertEquals(Optional.empty(), loop.runUntilComplete(inCallback));

        IllegalStateException e = assertThrows(IllegalStateException.class, CallGraph::capture);
        assertTrue(e.getMessage().contains("outside a running event loop"), e.getMessage());
    }

    private static CallGraph innerFrameOf(Task<?> task) {
        return CallGraph.capture(task);
    }

    @Test
    @DisplayName("depth skips frames of the current task; limit keeps the frames nearest the body's start (positive)"
            + " or the innermost (negative), 0 none")
    void depthAndLimit() {
        run(() -> {
            List<String> all = methods(levelA(1, CallGraph.NO_LIMIT).callStack());
            assertEquals(List.of("levelC", "levelB", "levelA"), all.subList(0, 3), all.toString());
            assertEquals(all.subList(1, all.size()), methods(levelA(2, CallGraph.NO_LIMIT).callStack()));
            assertEquals(all.subList(3, all.size()), methods(levelA(4, CallGraph.NO_LIMIT).callStack()));
            assertEquals(all.subList(all.size() - 2, all.size()), methods(levelA(1, 2).callStack()));
            assertEquals(List.of("levelC", "levelB"), methods(levelA(1, -2).callStack()));
            assertEquals(List.of(), levelA(1, 0).callStack());
            assertEquals(all, methods(levelA(1, Integer.MIN_VALUE).callStack()));
            assertThrows(IllegalArgumentException.class, () -> CallGraph.capture(null, 0, CallGraph.NO_LIMIT));

            // the limit applies to every stack of the graph: here to a suspended waiter's
            Future<String> f = Async.getRunningLoop().createFuture();
            Task<String> waiter = Async.createTask(() -> awaitIt(f), "waiter");
            spin(1);
            List<String> waiterAll = methods(CallGraph.capture(f).awaitedBy().get(0).callStack());
            assertEquals("awaitIt", waiterAll.get(0), waiterAll.toString());
            CallGraph limited = CallGraph.capture(f, 1, -1).orElseThrow();
            assertEquals(List.of("awaitIt"), methods(limited.awaitedBy().get(0).callStack()));
            CallGraph none = CallGraph.capture(f, 1, 0).orElseThrow();
            assertSame(waiter, none.awaitedBy().get(0).future());
            assertEquals(List.of(), none.awaitedBy().get(0).callStack());
            f.setResult("x");
            return await(waiter);
        });
    }

    private static CallGraph levelA(int depth, int limit) {
        return levelB(depth, limit);
    }

    private static CallGraph levelB(int depth, int limit) {
        return levelC(depth, limit);
    }

    private static CallGraph levelC(int depth, int limit) {
        return CallGraph.capture(null, depth, limit).orElseThrow();
    }

    // ------------------------------------------------------------------ waiters

    @Test
    @DisplayName("a plain future awaited by two tasks: both are its waiters, each with its stack where it awaits")
    void futureAwaitedByTwoTasks() {
        run(() -> {
            Future<String> f = Async.getRunningLoop().createFuture();
            Task<String> one = Async.createTask(() -> awaitIt(f), "one");
            Task<String> two = Async.createTask(() -> awaitIt(f), "two");
            spin(1);
            CallGraph graph = CallGraph.capture(f);
            assertSame(f, graph.future());
            assertEquals(List.of(), graph.callStack());
            assertEquals(Set.of(one, two), graph.awaitedBy().stream().map(CallGraph::future).collect(Collectors.toSet()));
            for (CallGraph waiter : graph.awaitedBy()) {
                assertEquals("awaitIt", waiter.callStack().get(0).getMethodName(), waiter.callStack().toString());
                assertNoEngineFrame(waiter.callStack());
                assertEquals(List.of(), waiter.awaitedBy());
            }
            String text = graph.format();
            assertTrue(text.startsWith("* Future(id=0x"), text);
            assertTrue(text.contains("\n  + Awaited by:\n    * Task(name='one', id=0x")
                    || text.contains("\n  + Awaited by:\n    * Task(name='two', id=0x"), text);
            assertTrue(text.contains("\n      + Call stack:\n      |   at " + CallGraphTest.class.getName()
                    + ".awaitIt("), text);
            f.setResult("x");
            await(Tasks.gather(one, two));
            assertEquals(List.of(), CallGraph.capture(f).awaitedBy(), "done tasks wait for nothing");
            return null;
        });
    }

    @Test
    @DisplayName("layers of tasks that each gather the whole layer below: every future is one shared node, and format"
            + " shows each in full once, then '(see above)', so the text grows with the edges, not the paths"
            + " (asyncio gh-156860)")
    void sharedWaitersAreOneNodeEach() {
        run(() -> {
            Future<String> root = Async.getRunningLoop().createFuture();
            int levels = 12;
            List<Future<?>> layer = List.of(root);
            List<Task<?>> all = new ArrayList<>();
            for (int level = 1; level <= levels; level++) {
                List<Future<?>> below = layer;
                List<Future<?>> next = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    Task<List<Object>> t = Async.createTask(() -> await(Tasks.gather(below)), "t" + all.size());
                    all.add(t);
                    next.add(t);
                }
                layer = next;
            }
            spin(1);
            CallGraph graph = CallGraph.capture(root);
            Set<CallGraph> nodes = Collections.newSetFromMap(new IdentityHashMap<>());
            Deque<CallGraph> todo = new ArrayDeque<>(List.of(graph));
            int edges = 0;
            while (!todo.isEmpty()) {
                CallGraph node = todo.pop();
                if (nodes.add(node)) {
                    edges += node.awaitedBy().size();
                    todo.addAll(node.awaitedBy());
                }
            }
            assertEquals(1 + 2 * levels, nodes.size(), "one node per future");
            assertEquals(2 + 4 * (levels - 1), edges, "one edge per gathered child");
            Set<Future<?>> futures = Collections.newSetFromMap(new IdentityHashMap<>());
            nodes.forEach(n -> futures.add(n.future()));
            assertEquals(nodes.size(), futures.size(), "no future has two nodes");
            List<String> lines = graph.format().lines().toList();
            long headers = lines.stream().filter(l -> l.stripLeading().startsWith("* ")).count();
            long repeats = lines.stream().filter(l -> l.endsWith(" (see above)")).count();
            assertEquals(1 + edges, headers, "a first line per edge, and the root's");
            assertEquals(edges - (nodes.size() - 1), repeats, "each node in full once");
            assertEquals(all.size(), lines.stream().filter(l -> l.contains("+ Call stack:")).count());
            root.setResult("x");
            await(Tasks.gather(all));
            return null;
        });
    }

    @Test
    @DisplayName("a TaskGroup task inside a gather inside a task: the graph crosses the group and the gather, and"
            + " the records are gone once they end")
    void taskGroupInsideGatherInsideTask() {
        run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> blocker = loop.createFuture();
            Future<Void> leafWaiting = loop.createFuture();
            Task<?>[] group = new Task<?>[1];
            Task<?>[] leaf = new Task<?>[1];
            Task<List<Object>> outer = Async.createTask(() -> {
                group[0] = Async.createTask(() -> TaskGroup.run(g -> {
                    leaf[0] = g.createTask(() -> {
                        leafWaiting.setResult(null);
                        return awaitIt(blocker);
                    }, "leaf");
                    return null;
                }), "group");
                return await(Tasks.gather(List.of(group[0]), false));
            }, "outer");
            await(leafWaiting);

            CallGraph graph = CallGraph.capture(blocker);
            CallGraph leafNode = only(graph.awaitedBy());
            assertSame(leaf[0], leafNode.future());
            assertEquals("awaitIt", leafNode.callStack().get(0).getMethodName());
            CallGraph groupNode = only(leafNode.awaitedBy());
            assertSame(group[0], groupNode.future());
            assertTrue(groupNode.callStack().stream().anyMatch(f -> f.getClassName().equals(TaskGroup.class.getName())),
                    "the parent waits inside TaskGroup: " + groupNode.callStack());
            CallGraph outerNode = only(groupNode.awaitedBy());
            assertSame(outer, outerNode.future());
            assertFalse(outerNode.callStack().isEmpty());
            assertEquals(List.of(), outerNode.awaitedBy());

            String text = graph.format();
            String[] lines = text.split("\n");
            assertTrue(lines[0].startsWith("* Future(id=0x"), text);
            assertEquals("  + Awaited by:", lines[1], text);
            assertTrue(lines[2].startsWith("    * Task(name='leaf', id=0x"), text);
            assertTrue(text.contains("\n        * Task(name='group', id=0x"), text);
            assertTrue(text.contains("\n            * Task(name='outer', id=0x"), text);
            assertTrue(text.contains("\n              + Call stack:\n              |   at "), text);

            blocker.setResult("done");
            await(outer);
            assertEquals(List.of(), BaseFuture.awaitedBy(leaf[0]), "the group's record is discarded");
            assertEquals(List.of(), BaseFuture.awaitedBy(group[0]), "the gather's record is discarded");
            return null;
        });
    }

    @Test
    @DisplayName("shield: the shielded task is awaited by the task that called shield, which awaits the shield's"
            + " future")
    void shield() {
        run(() -> {
            Future<String> blocker = Async.getRunningLoop().createFuture();
            Task<String> inner = Async.createTask(() -> awaitIt(blocker), "inner");
            Task<String> caller = Async.createTask(() -> await(Tasks.shield(inner)), "caller");
            spin(2);
            CallGraph graph = CallGraph.capture(inner);
            assertEquals("awaitIt", graph.callStack().get(0).getMethodName());
            assertSame(caller, only(graph.awaitedBy()).future());
            blocker.setResult("x");
            assertEquals("x", await(caller));
            assertEquals(List.of(), BaseFuture.awaitedBy(inner));
            return null;
        });
    }

    @Test
    @DisplayName("shield: when the caller is cancelled while the shielded task runs on, the record is discarded"
            + " once that task ends")
    void shieldRecordEndsWithTheShieldedTask() {
        run(() -> {
            Future<String> blocker = Async.getRunningLoop().createFuture();
            Task<String> inner = Async.createTask(() -> awaitIt(blocker), "inner");
            Task<String> caller = Async.createTask(() -> await(Tasks.shield(inner)), "caller");
            spin(2);
            assertEquals(List.of(caller), BaseFuture.awaitedBy(inner));
            caller.cancel();
            assertThrows(CancelledError.class, () -> await(caller));
            blocker.setResult("x");
            assertEquals("x", await(inner));
            spin(1);
            assertEquals(List.of(), BaseFuture.awaitedBy(inner),
                    "a done task holds no record of a caller that stopped waiting");
            return null;
        });
    }

    // ------------------------------------------------------------------ edge cases

    @Test
    @DisplayName("a done future, a done task and a task not started have no stack and no waiter")
    void doneFutureAndTask() {
        run(() -> {
            Future<String> f = Async.getRunningLoop().createFuture();
            f.setResult("x");
            CallGraph graph = CallGraph.capture(f);
            assertEquals(new CallGraph(f, List.of(), List.of()), graph);
            assertEquals("* Future(id=0x" + Integer.toHexString(System.identityHashCode(f)) + ")", graph.format());
            Task<String> t = Async.createTask(() -> "y", "quick");
            assertEquals(new CallGraph(t, List.of(), List.of()), CallGraph.capture(t), "not started");
            await(t);
            assertEquals(new CallGraph(t, List.of(), List.of()), CallGraph.capture(t), "done");
            return null;
        });
    }

    @Test
    @DisplayName("a future of another class than BaseFuture: its waiting tasks are found, records are ignored")
    void foreignFuture() {
        run(() -> {
            Future<String> delegate = Async.getRunningLoop().createFuture();
            @SuppressWarnings("unchecked")
            Future<String> foreign = (Future<String>) Proxy.newProxyInstance(Future.class.getClassLoader(),
                    new Class<?>[] {Future.class}, (proxy, method, args) -> {
                        try {
                            return method.invoke(delegate, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            Task<String> waiter = Async.createTask(() -> awaitIt(foreign), "waiter");
            spin(1);
            BaseFuture.addAwaitedBy(foreign, current());
            assertEquals(List.of(), BaseFuture.awaitedBy(foreign));
            CallGraph graph = CallGraph.capture(foreign);
            assertSame(foreign, graph.future());
            assertSame(waiter, only(graph.awaitedBy()).future());
            BaseFuture.discardFromAwaitedBy(foreign, current());
            delegate.setResult("x");
            return await(waiter);
        });
    }

    @Test
    @DisplayName("a mistaken record that makes a cycle cannot loop: a waiter already on the path is left out;"
            + " a future cannot be recorded as its own waiter")
    void cycle() {
        run(() -> {
            EventLoop loop = Async.getRunningLoop();
            Future<String> a = loop.createFuture();
            Future<String> b = loop.createFuture();
            BaseFuture.addAwaitedBy(a, b);
            BaseFuture.addAwaitedBy(b, a);
            BaseFuture.addAwaitedBy(b, a);
            assertEquals(List.of(a), BaseFuture.awaitedBy(b), "recorded once");
            CallGraph graph = CallGraph.capture(a);
            CallGraph bNode = only(graph.awaitedBy());
            assertSame(b, bNode.future());
            assertEquals(List.of(), bNode.awaitedBy());
            assertThrows(IllegalArgumentException.class, () -> BaseFuture.addAwaitedBy(a, a));
            BaseFuture.discardFromAwaitedBy(a, b);
            BaseFuture.discardFromAwaitedBy(b, a);
            assertEquals(List.of(), BaseFuture.awaitedBy(b));
            return null;
        });
    }

    @Test
    @DisplayName("records: each waiter once, oldest first, discarded one by one; a waiter of another loop is refused")
    void records() {
        Future<String> f = loop.createFuture();
        Future<String> w1 = loop.createFuture();
        Future<String> w2 = loop.createFuture();
        Future<String> w3 = loop.createFuture();
        BaseFuture.addAwaitedBy(f, w1);
        assertEquals(List.of(w1), BaseFuture.awaitedBy(f));
        BaseFuture.addAwaitedBy(f, w2);
        BaseFuture.addAwaitedBy(f, w3);
        BaseFuture.addAwaitedBy(f, w2);
        assertEquals(List.of(w1, w2, w3), BaseFuture.awaitedBy(f));
        assertEquals(List.of(w1, w2, w3), CallGraph.capture(f).awaitedBy().stream().map(CallGraph::future).toList());
        BaseFuture.discardFromAwaitedBy(f, w2);
        assertEquals(List.of(w1, w3), BaseFuture.awaitedBy(f));
        BaseFuture.discardFromAwaitedBy(f, w1);
        assertEquals(List.of(w3), BaseFuture.awaitedBy(f));
        BaseFuture.discardFromAwaitedBy(f, w1);
        BaseFuture.discardFromAwaitedBy(f, w3);
        assertEquals(List.of(), BaseFuture.awaitedBy(f));
        BaseFuture.discardFromAwaitedBy(f, w3);
        EventLoop other = new LibraryTestLoop();
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> BaseFuture.addAwaitedBy(f, other.createFuture()));
            assertTrue(e.getMessage().contains("another loop"), e.getMessage());
        } finally {
            other.close();
        }
        assertEquals(List.of(), BaseFuture.awaitedBy(f));
    }

    @Test
    @DisplayName("off the loop thread while the loop runs, capture throws; once the loop stopped it works there")
    void threads() throws InterruptedException {
        Future<String> pending = loop.createFuture();
        Task<String> waiter = loop.createTask(() -> awaitIt(pending), "waiter");
        AtomicReference<Throwable> offLoop = new AtomicReference<>();
        run(() -> {
            Thread other = new Thread(() -> {
                try {
                    CallGraph.capture(pending);
                } catch (Throwable e) {
                    offLoop.set(e);
                }
            });
            other.start();
            other.join(10_000);
            return null;
        });
        IllegalStateException e = assertInstanceOf(IllegalStateException.class, offLoop.get());
        assertTrue(e.getMessage().contains("loop's thread"), e.getMessage());
        CallGraph graph = CallGraph.capture(pending);
        assertSame(waiter, only(graph.awaitedBy()).future());
        assertEquals("awaitIt", graph.awaitedBy().get(0).callStack().get(0).getMethodName());
        pending.setResult("x");
        assertEquals("x", loop.runUntilComplete(waiter));
    }

    @Test
    @DisplayName("format: asyncio's layout, four spaces more per level; print adds a line separator")
    void formatAndPrint() {
        Future<String> f = loop.createFuture();
        Task<String> t = loop.createTask(() -> "x", "worker");
        StackTraceElement frame = new StackTraceElement("com.example.Crawler", "fetch", "Crawler.java", 31);
        CallGraph graph = new CallGraph(f, List.of(), List.of(new CallGraph(t, List.of(frame, frame), List.of())));
        String expected = "* Future(id=0x" + Integer.toHexString(System.identityHashCode(f)) + ")\n"
                + "  + Awaited by:\n"
                + "    * Task(name='worker', id=0x" + Integer.toHexString(System.identityHashCode(t)) + ")\n"
                + "      + Call stack:\n"
                + "      |   at com.example.Crawler.fetch(Crawler.java:31)\n"
                + "      |   at com.example.Crawler.fetch(Crawler.java:31)";
        assertEquals(expected, graph.format());
        assertEquals(expected, graph.toString());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        graph.print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(expected + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
        loop.runUntilComplete(t);
    }

    // ------------------------------------------------------------------ helpers

    private static String awaitIt(Future<String> f) {
        return await(f);
    }

    private static CallGraph only(List<CallGraph> graphs) {
        assertEquals(1, graphs.size(), graphs.toString());
        return graphs.get(0);
    }

    private static List<String> methods(List<StackTraceElement> frames) {
        return frames.stream().map(StackTraceElement::getMethodName).toList();
    }

    private static void assertNoEngineFrame(List<StackTraceElement> frames) {
        assertNotNull(frames);
        for (StackTraceElement f : frames) {
            String c = f.getClassName();
            assertFalse(c.startsWith("jdk.internal.") || c.startsWith("java.lang.VirtualThread")
                    || c.startsWith(EngineCoroutine.class.getName()) || c.startsWith("dev.asyncloop.ContinuationEngine")
                    || c.startsWith("dev.asyncloop.VirtualThreadEngine") || c.equals(Async.class.getName())
                    || c.startsWith("dev.asyncloop.spi."), "engine or loop frame " + f + " in " + frames);
        }
    }
}
