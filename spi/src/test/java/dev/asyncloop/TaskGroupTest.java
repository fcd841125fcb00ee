package dev.asyncloop;

import static dev.asyncloop.Async.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Behaviour of {@link TaskGroup}, in the spirit of CPython's test_taskgroups. */
class TaskGroupTest extends LoopFixture {

    static Task<String> failing(TaskGroup g, Duration after, RuntimeException e) {
        return g.createTask(() -> {
            Async.sleep(after);
            throw e;
        });
    }

    @Test
    @DisplayName("the group waits for all its tasks")
    void waitsForAll() {
        run(() -> {
            List<Task<String>> ts = TaskGroup.run(g -> List.of(
                    g.createTask(() -> Async.sleep(Duration.ofMillis(5), "a")),
                    g.createTask(() -> Async.sleep(Duration.ofMillis(1), "b"), "named")));
            assertEquals("a", ts.get(0).result());
            assertEquals("b", ts.get(1).result());
            assertEquals("named", ts.get(1).getName());
            TaskGroup g2 = TaskGroup.open();
            Task<String> c;
            try (g2) {
                c = g2.createTask(() -> Async.sleep(Duration.ofMillis(2), "c"));
            }
            assertEquals("c", c.result());
            return null;
        });
    }

    @Test
    @DisplayName("a failing task cancels its siblings and the parent's await; the parent goes on afterwards")
    void childFailureWhileParentAwaits() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<?>[] sibling = new Task<?>[1];
            boolean[] bodyCancelled = {false};
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                sibling[0] = g.createTask(() -> Async.sleep(LONG, "sibling"));
                failing(g, Duration.ofMillis(2), boom);
                try {
                    Async.sleep(LONG);
                } catch (CancelledError c) {
                    bodyCancelled[0] = true;
                    throw c;
                }
                return null;
            }));
            assertEquals(List.of(boom), e.exceptions());
            assertSame(boom, e.getSuppressed()[0]);
            assertTrue(bodyCancelled[0], "the parent's await was cancelled");
            assertTrue(sibling[0].isCancelled());
            assertEquals(0, current().cancelling(), "the group withdrew its cancel request");
            Async.sleep(Duration.ofMillis(1));   // the parent is not cancelled
            return null;
        });
    }

    @Test
    @DisplayName("failures of several tasks are all collected")
    void severalFailures() {
        run(() -> {
            IllegalStateException a = new IllegalStateException("a");
            IllegalArgumentException b = new IllegalArgumentException("b");
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    throw a;
                });
                g.createTask(() -> {
                    throw b;
                });
                return null;
            }));
            assertEquals(List.of(a, b), e.exceptions());
            assertEquals(2, e.getSuppressed().length);
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("a cancelled task is not a failure")
    void childCancellationIsNoError() {
        run(() -> {
            Task<?>[] t = new Task<?>[1];
            TaskGroup.run(g -> {
                t[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                Async.yieldNow();
                t[0].cancel();
                return null;
            });
            assertTrue(t[0].isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("run(): the body's exception cancels the tasks and is collected with theirs")
    void bodyFailureRunForm() {
        run(() -> {
            IllegalStateException body = new IllegalStateException("body");
            Task<?>[] child = new Task<?>[1];
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                Async.yieldNow();
                throw body;
            }));
            assertEquals(List.of(body), e.exceptions());
            assertTrue(child[0].isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("the parent cancelled from outside: the tasks are cancelled and CancelledError propagates")
    void parentCancelledFromOutside() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            Task<Object> parent = loop.createTask(() -> TaskGroup.run(g -> {
                child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                return Async.sleep(LONG, null);
            }));
            Async.sleep(Duration.ofMillis(2));
            parent.cancel();
            assertThrows(CancelledError.class, () -> await(parent));
            assertTrue(parent.isCancelled());
            assertTrue(child[0].isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("the parent cancelled from outside while a task fails in clean-up: the failure wins, cancel kept")
    void outsideCancelAndFailure() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("clean-up failed");
            Throwable[] seen = new Throwable[1];
            int[] cancellingAfter = {-1};
            Task<Object> parent = loop.createTask(() -> {
                try {
                    TaskGroup.run(g -> {
                        g.createTask(() -> {
                            try {
                                return Async.sleep(LONG, null);
                            } catch (CancelledError c) {
                                throw boom;
                            }
                        });
                        return Async.sleep(LONG, null);
                    });
                } catch (TaskGroupException e) {
                    seen[0] = e;
                    cancellingAfter[0] = current().cancelling();
                }
                Async.sleep(LONG);   // the outside cancellation is still pending: delivered here
                return null;
            });
            Async.sleep(Duration.ofMillis(2));
            parent.cancel();
            assertThrows(CancelledError.class, () -> await(parent));
            assertEquals(List.of(boom), ((TaskGroupException) seen[0]).exceptions());
            assertEquals(1, cancellingAfter[0], "the outside cancel request is kept");
            return null;
        });
    }

    @Test
    @DisplayName("no tasks are accepted while shutting down or after the group ended")
    void createTaskRules() {
        run(() -> {
            TaskGroup[] group = new TaskGroup[1];
            IllegalStateException[] during = new IllegalStateException[1];
            assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                group[0] = g;
                g.createTask(() -> {
                    try {
                        return Async.sleep(LONG, null);
                    } catch (CancelledError c) {
                        during[0] = assertThrows(IllegalStateException.class, () -> g.createTask(() -> 1));
                        throw c;
                    }
                });
                failing(g, Duration.ofMillis(1), new IllegalStateException("boom"));
                return null;
            }));
            assertTrue(during[0].getMessage().contains("shutting down"), during[0].getMessage());
            IllegalStateException after = assertThrows(IllegalStateException.class, () -> group[0].createTask(() -> 1));
            assertTrue(after.getMessage().contains("finished"), after.getMessage());
            return null;
        });
    }

    @Test
    @DisplayName("a task failing while the parent waits in close(): the parent's wait is not a failure")
    void failureWhileClosing() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroup g = TaskGroup.open();
            Task<String> sibling = null;
            TaskGroupException e;
            try {
                try (g) {
                    sibling = g.createTask(() -> Async.sleep(LONG, "x"));
                    failing(g, Duration.ofMillis(2), boom);
                }
                throw new AssertionError("close() should have thrown");
            } catch (TaskGroupException thrown) {
                e = thrown;
            }
            assertEquals(List.of(boom), e.exceptions());
            assertTrue(sibling.isCancelled());
            assertEquals(0, current().cancelling());
            Async.sleep(Duration.ofMillis(1));
            return null;
        });
    }

    @Test
    @DisplayName("try form: a failure while the body awaits leaves it as CancelledError; convert() gives the group's")
    void tryFormChildFailureWhileBodyAwaits() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroup g = TaskGroup.open();
            RuntimeException outcome = null;
            CancelledError raw = null;
            try (g) {
                failing(g, Duration.ofMillis(2), boom);
                Async.sleep(LONG);
            } catch (CancelledError e) {
                raw = e;
                outcome = g.convert(e);
            }
            assertInstanceOf(TaskGroupException.class, raw.getSuppressed()[0], "close()'s exception is attached");
            assertEquals(List.of(boom), ((TaskGroupException) outcome).exceptions());
            assertEquals(0, current().cancelling());
            Async.sleep(Duration.ofMillis(1));
            return null;
        });
    }

    @Test
    @DisplayName("try form: a body exception wins; close() waits for the tasks and attaches their failures")
    void tryFormBodyException() {
        run(() -> {
            IllegalArgumentException body = new IllegalArgumentException("body");
            IllegalStateException child = new IllegalStateException("child");
            TaskGroup g = TaskGroup.open();
            Task<?>[] ok = new Task<?>[1];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
                try (g) {
                    ok[0] = g.createTask(() -> Async.sleep(Duration.ofMillis(5), "ok"));
                    g.createTask(() -> {
                        Async.sleep(Duration.ofMillis(1));
                        throw child;
                    });
                    throw body;
                }
            });
            assertSame(body, e);
            TaskGroupException attached = (TaskGroupException) e.getSuppressed()[0];
            assertEquals(List.of(child), attached.exceptions());
            assertTrue(ok[0].isDone());
            return null;
        });
    }

    @Test
    @DisplayName("try form: the parent cancelled from outside cancels the tasks and the cancellation goes on")
    void tryFormOutsideCancel() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            Task<Object> parent = loop.createTask(() -> {
                try (TaskGroup g = TaskGroup.open()) {
                    child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                    return Async.sleep(LONG, null);
                }
            });
            Async.sleep(Duration.ofMillis(2));
            parent.cancel();
            assertThrows(CancelledError.class, () -> await(parent));
            assertTrue(child[0].isCancelled(), "close() saw the pending cancellation and cancelled the task");
            return null;
        });
    }

    @Test
    @DisplayName("try form: a cancel request pending when the group opens, delivered in the block, cancels the tasks")
    void tryFormCancelPendingAtOpen() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            Task<Object> parent = loop.createTask(() -> {
                current().cancel();          // the task is running: the request waits for its next await
                try (TaskGroup g = TaskGroup.open()) {
                    child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                    return Async.sleep(LONG, null);
                }
            });
            // without the fix close() waits LONG for the child and the watchdog fails the test
            assertThrows(CancelledError.class, () -> Tasks.waitFor(parent, Duration.ofSeconds(5)));
            assertTrue(child[0].isCancelled(), "close() took the pending request for this block's");
            return null;
        });
    }

    @Test
    @DisplayName("try form nested: the outer group's cancel(), not yet delivered when the inner opens, ends both")
    void tryFormNestedOuterCancelBeforeOpen() {
        run(() -> {
            Task<?>[] inner = new Task<?>[1];
            Task<?>[] outer = new Task<?>[1];
            Object result = Tasks.waitFor(() -> TaskGroup.run(g -> {
                outer[0] = g.createTask(() -> Async.sleep(LONG, "outer"));
                g.cancel();
                TaskGroup ig = TaskGroup.open();
                try (ig) {
                    inner[0] = ig.createTask(() -> Async.sleep(LONG, "inner"));
                    Async.sleep(LONG);
                } catch (CancelledError e) {
                    assertFalse(ig.suppresses(e), "the outer group's cancellation is not the inner one's");
                    throw ig.convert(e);
                }
                return "body";
            }), Duration.ofSeconds(5));
            assertEquals(null, result, "the outer group swallowed its own cancellation");
            assertTrue(inner[0].isCancelled(), "the inner group cancelled its task");
            assertTrue(outer[0].isCancelled());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("try form: a cancellation swallowed before the group opened is not this block's")
    void tryFormSwallowedBeforeOpen() {
        run(() -> {
            Task<String> parent = loop.createTask(() -> {
                current().cancel();
                try {
                    Async.sleep(LONG);
                } catch (CancelledError swallowed) {
                    // kept without uncancel(): asyncio discourages it, and a group must not read it as its own
                }
                Task<String> child;
                try (TaskGroup g = TaskGroup.open()) {
                    child = g.createTask(() -> Async.sleep(Duration.ofMillis(5), "done"));
                }
                return Async.await(child);
            });
            assertEquals("done", Tasks.waitFor(parent, Duration.ofSeconds(5)));
            return null;
        });
    }

    @Test
    @DisplayName("a Timeout around a group: expiry cancels the tasks and becomes TimeoutError")
    void timeoutAroundGroup() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            assertThrows(TimeoutError.class, () -> Timeout.run(SHORT, () -> TaskGroup.run(g -> {
                child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                return Async.sleep(LONG, null);
            })));
            assertTrue(child[0].isCancelled());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("a task failing in clean-up when the group's timeout expires: the failure wins, with a note")
    void failureAndTimeoutTogether() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> Timeout.run(SHORT,
                    () -> TaskGroup.run(g -> {
                        g.createTask(() -> {
                            try {
                                return Async.sleep(LONG, null);
                            } catch (CancelledError c) {
                                throw boom;
                            }
                        });
                        return Async.sleep(LONG, null);
                    })));
            assertEquals(List.of(boom), e.exceptions());
            assertInstanceOf(TimeoutError.class, e.getSuppressed()[e.getSuppressed().length - 1],
                    "the expired timeout adds a TimeoutError note (asyncio 3.13 chains it)");
            assertEquals(0, current().cancelling());
            Async.sleep(Duration.ofMillis(1));   // not cancelled any more
            return null;
        });
    }

    @Test
    @DisplayName("eager tasks: a task failing inside createTask still fails the group, after the body")
    void eagerTaskFailsAtOnce() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        run(() -> {
            IllegalStateException boom = new IllegalStateException("eager");
            boolean[] bodyFinished = {false};
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                Task<Object> t = g.createTask(() -> {
                    throw boom;
                });
                assertTrue(t.isDone(), "the eager task ran inside createTask");
                bodyFinished[0] = true;   // the group's reaction comes through a done-callback, not inline
                return null;
            }));
            assertTrue(bodyFinished[0]);
            assertEquals(List.of(boom), e.exceptions());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel() from the body: tasks and the body's await cancelled, no error, parent goes on")
    void cancelFromBody() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            boolean[] bodyCancelled = {false};
            Object result = TaskGroup.run(g -> {
                child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                Async.sleep(Duration.ofMillis(1));
                g.cancel();
                assertThrows(IllegalStateException.class, () -> g.createTask(() -> "late"),
                        "a cancelled group is shutting down");
                try {
                    return Async.sleep(LONG, "body");
                } catch (CancelledError c) {
                    bodyCancelled[0] = true;
                    throw c;
                }
            });
            assertEquals(null, result, "run returns null when cancel() ended the body");
            assertTrue(bodyCancelled[0]);
            assertTrue(child[0].isCancelled());
            assertEquals(0, current().cancelling(), "the group withdrew its cancel request");
            Async.sleep(Duration.ofMillis(1));   // the parent is not cancelled
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel() from a task of the group ends the group; a cancel() before a plain return is harmless")
    void cancelFromChildAndBeforeReturn() {
        run(() -> {
            Task<?>[] sibling = new Task<?>[1];
            TaskGroup[] group = new TaskGroup[1];
            Object result = TaskGroup.run(g -> {
                group[0] = g;
                sibling[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                g.createTask(() -> {
                    Async.sleep(Duration.ofMillis(1));
                    g.cancel();
                    g.cancel();   // idempotent
                    return null;
                });
                return Async.sleep(LONG, "body");
            });
            assertEquals(null, result);
            assertTrue(sibling[0].isCancelled());
            assertEquals(0, current().cancelling());
            group[0].cancel();   // after the end: nothing happens
            Async.sleep(Duration.ofMillis(1));

            String plain = TaskGroup.run(g -> {
                g.cancel();
                return "returned";   // no await after cancel(): the pending cancel is withdrawn at the end
            });
            assertEquals("returned", plain);
            assertEquals(0, current().cancelling());
            Async.sleep(Duration.ofMillis(1));
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel() from a task outside the group")
    void cancelFromElsewhere() {
        run(() -> {
            Future<TaskGroup> opened = loop.createFuture();
            Task<Object> parent = loop.createTask(() -> TaskGroup.run(g -> {
                opened.setResult(g);
                g.createTask(() -> Async.sleep(LONG, "x"));
                return Async.sleep(LONG, "body");
            }));
            await(opened).cancel();
            assertEquals(null, await(parent));
            assertFalse(parent.isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel(): failures of the tasks still win; an outside cancellation still propagates")
    void cancelWithFailureOrOutsideCancel() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                g.createTask(() -> {
                    try {
                        return Async.sleep(LONG, null);
                    } catch (CancelledError c) {
                        throw boom;
                    }
                });
                Async.sleep(Duration.ofMillis(1));
                g.cancel();
                return Async.sleep(LONG, null);
            }));
            assertEquals(List.of(boom), e.exceptions());
            assertEquals(0, current().cancelling());

            Task<Object> parent = loop.createTask(() -> TaskGroup.run(g -> {
                g.createTask(() -> Async.sleep(LONG, "x"));
                g.cancel();
                Async.currentTask().orElseThrow().cancel("from outside");   // a second request, not the group's
                return Async.sleep(LONG, null);
            }));
            assertThrows(CancelledError.class, () -> await(parent));
            assertTrue(parent.isCancelled(), "the outside request was not swallowed (asyncio's gh-155433)");
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel() then a cancellation from outside while the group waits for its tasks: it propagates"
            + " (asyncio's gh-155433)")
    void outsideCancelWhileClosingAfterCancel() {
        run(() -> {
            for (String form : List.of("run", "try", "cancel from a task while closing")) {
                Future<Void> inCleanup = loop.createFuture();
                Future<Void> release = loop.createFuture();
                Task<String> parent = loop.createTask(() -> {
                    AsyncCallable<String> slowCleanup = () -> {
                        try {
                            return Async.sleep(LONG, "x");
                        } finally {
                            inCleanup.setResult(null);
                            await(release);
                        }
                    };
                    switch (form) {
                        case "run" -> {
                            return TaskGroup.run(g -> {
                                g.createTask(slowCleanup);
                                spin(1);
                                g.cancel();
                                return "body";   // nothing left to await: the group waits in its exit
                            });
                        }
                        case "try" -> {
                            try (TaskGroup g = TaskGroup.open()) {
                                g.createTask(slowCleanup);
                                spin(1);
                                g.cancel();
                            }
                            return "body";
                        }
                        default -> {
                            return TaskGroup.run(g -> {
                                g.createTask(slowCleanup);
                                g.createTask(() -> {
                                    spin(2);
                                    g.cancel();   // the body has returned: the group is closing
                                    return null;
                                });
                                return "body";
                            });
                        }
                    }
                }, form);
                await(inCleanup);
                parent.cancel("from outside");
                spin(1);
                release.setResult(null);
                assertThrows(CancelledError.class, () -> await(parent), form);
                assertTrue(parent.isCancelled(), form + ": the outside cancellation was swallowed");
            }
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel() in the try form: the block's CancelledError is one the group suppresses")
    void cancelTryForm() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            TaskGroup g = TaskGroup.open();
            boolean suppressed = false;
            try (g) {
                child[0] = g.createTask(() -> Async.sleep(LONG, "x"));
                g.cancel();
                Async.sleep(LONG);
            } catch (CancelledError e) {
                suppressed = g.suppresses(e);
                if (!suppressed) {
                    throw g.convert(e);
                }
            }
            assertTrue(suppressed);
            assertTrue(child[0].isCancelled());
            assertEquals(0, current().cancelling());

            Task<Object> parent = loop.createTask(() -> {
                TaskGroup g2 = TaskGroup.open();
                try (g2) {
                    g2.createTask(() -> Async.sleep(LONG, "x"));
                    return Async.sleep(LONG, null);
                } catch (CancelledError e) {
                    assertFalse(g2.suppresses(e), "an outside cancellation is not the group's");
                    throw g2.convert(e);
                }
            });
            Async.sleep(Duration.ofMillis(2));
            parent.cancel();
            assertThrows(CancelledError.class, () -> await(parent));
            return null;
        });
    }

    @Test
    @DisplayName("eager tasks: a task whose eager step starts a failing task and then waits is cancelled, the group"
            + " ends (asyncio's gh-128550: it hung)")
    void eagerTaskStartingAFailingTaskIsCancelled() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        run(() -> {
            IllegalStateException boom = new IllegalStateException("third task failed");
            Task<?>[] second = new Task<?>[1];
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                second[0] = g.createTask(() -> {
                    g.createTask(() -> {
                        throw boom;
                    });
                    return await(Async.getRunningLoop().<Void>createFuture());   // waits forever
                });
                return null;
            }));
            assertEquals(List.of(boom), e.exceptions());
            assertTrue(second[0].isCancelled(), "the waiting task was cancelled although it was not in the set yet");
            assertEquals(0, current().cancelling(), "no cancellation leaks out of the group (asyncio's gh-128588)");
            return null;
        });
    }

    @Test
    @DisplayName("a group failure caught and re-raised late inside waitFor: the timeout still ends in TimeoutError"
            + " (asyncio's gh-133747: 3.12 let a CancelledError out)")
    void groupFailureReRaisedLateInsideWaitFor() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            assertThrows(TimeoutError.class, () -> Tasks.waitFor(() -> {
                try {
                    TaskGroup.run(g -> g.createTask(() -> {
                        throw boom;
                    }));
                } catch (TaskGroupException e) {
                    Async.sleep(LONG);   // the timeout expires here
                    throw e;
                }
                return null;
            }, Duration.ofMillis(20)));
            assertEquals(0, current().cancelling());
            Async.sleep(Duration.ofMillis(1));   // not cancelled any more
            return null;
        });
    }

    @Test
    @DisplayName("nested groups whose tasks fail in the same iteration: the outer group ends with both failures"
            + " (asyncio's gh-116720: the inner group swallowed the outer one's cancellation and it hung)")
    void nestedGroupsFailingTogether() {
        run(() -> {
            IllegalStateException inner = new IllegalStateException("inner");
            IllegalStateException outer = new IllegalStateException("outer");
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g1 -> {
                g1.createTask(() -> {
                    Async.yieldNow();
                    throw outer;
                });
                return TaskGroup.run(g2 -> {
                    g2.createTask(() -> {
                        Async.yieldNow();
                        throw inner;
                    });
                    return Async.sleep(LONG, null);
                });
            }));
            assertEquals(2, e.exceptions().size(), e.exceptions().toString());
            assertTrue(e.exceptions().contains(outer), e.exceptions().toString());
            TaskGroupException nested = (TaskGroupException) e.exceptions().stream()
                    .filter(x -> x instanceof TaskGroupException).findFirst().orElseThrow();
            assertEquals(List.of(inner), nested.exceptions());
            assertEquals(0, current().cancelling());
            return null;
        });
    }

    @Test
    @DisplayName("3.15 cancel() by an eager task in its first step also cancels that task (asyncio's gh-155418)")
    void eagerTaskCancelsGroup() {
        loop.setTaskFactory(Async.eagerTaskFactory());
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            Object result = TaskGroup.run(g -> {
                child[0] = g.createTask(() -> {
                    g.cancel();   // before the task is in the group's set
                    return Async.sleep(Duration.ofSeconds(2), "not cancelled");
                });
                return null;
            });
            assertEquals(null, result);
            assertTrue(child[0].isCancelled(), "the group cancelled the task that cancelled it");
            return null;
        });
    }

    @Test
    @DisplayName("a group outside a task is refused")
    void outsideTask() {
        assertThrows(IllegalStateException.class, TaskGroup::open);
        assertFalse(loop.isRunning());
    }

    @Test
    @DisplayName("createTask in each of its forms is refused once the group has finished, and the body never runs")
    void createTaskAfterFinishRefusedInEveryForm() {
        run(() -> {
            TaskGroup[] kept = new TaskGroup[1];
            TaskGroup.run(g -> {
                kept[0] = g;
                return null;
            });
            TaskGroup g = kept[0];
            boolean[] ran = {false};
            AsyncCallable<String> body = () -> {
                ran[0] = true;
                return "ran";
            };
            List<Executable> forms = List.of(() -> g.createTask(body), () -> g.createTask(body, "n"),
                    () -> g.createTask(body, "n", null), () -> g.createTask(body, "n", null, false));
            for (Executable form : forms) {
                IllegalStateException e = assertThrows(IllegalStateException.class, form);
                assertTrue(e.getMessage().contains("is finished"), e.getMessage());
            }
            spin(2);
            assertFalse(ran[0]);
            return null;
        });
    }

    @Test
    @DisplayName("the first failure cancels the other tasks at once, not when the body leaves: a body that absorbs its cancellation sees them cancelled")
    void firstFailureCancelsSiblingsAtOnce() {
        run(() -> {
            IllegalStateException boom = new IllegalStateException("boom");
            Task<?>[] sibling = new Task<?>[1];
            boolean[] siblingCancelRequested = {false};
            TaskGroupException e = assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                sibling[0] = g.createTask(() -> Async.sleep(LONG, "sibling"));
                failing(g, Duration.ofMillis(1), boom);
                try {
                    Async.sleep(LONG);
                } catch (CancelledError c) {
                    siblingCancelRequested[0] = sibling[0].isCancelled() || sibling[0].cancelling() > 0;
                }
                return null;
            }));
            assertTrue(siblingCancelRequested[0], "the sibling was cancelled before the body left");
            assertEquals(List.of(boom), e.exceptions());
            assertTrue(sibling[0].isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("an Error thrown by the body cancels the tasks, waits for them and carries their failures as suppressed")
    void bodyErrorCancelsAndCarriesFailures() {
        run(() -> {
            AssertionError fatal = new AssertionError("fatal");
            IllegalStateException onCancel = new IllegalStateException("failed while cancelled");
            Task<?>[] child = new Task<?>[1];
            AssertionError thrown = assertThrows(AssertionError.class, () -> TaskGroup.run(g -> {
                child[0] = g.createTask(() -> {
                    try {
                        return Async.sleep(LONG, "child");
                    } catch (CancelledError c) {
                        throw onCancel;
                    }
                });
                spin(1);
                throw fatal;
            }));
            assertSame(fatal, thrown);
            assertTrue(child[0].isDone(), "the group waited for its task");
            assertEquals(List.of(onCancel), List.of(thrown.getSuppressed()));
            return null;
        });
    }

    @Test
    @DisplayName("toString shows the state, the tasks and the errors; TaskGroupException counts its sub-exceptions (asyncio's message)")
    void toStringAndExceptionMessage() {
        run(() -> {
            TaskGroup[] kept = new TaskGroup[1];
            String[] seen = new String[2];
            assertThrows(TaskGroupException.class, () -> TaskGroup.run(g -> {
                kept[0] = g;
                seen[0] = g.toString();
                g.createTask(() -> Async.sleep(LONG, "a"));
                failing(g, Duration.ZERO, new IllegalStateException("b"));
                try {
                    Async.sleep(LONG);
                } catch (CancelledError c) {
                    seen[1] = g.toString();
                    throw c;
                }
                return null;
            }));
            assertEquals("TaskGroup[entered]", seen[0]);
            assertEquals("TaskGroup[cancelling, tasks=1, errors=1]", seen[1]);
            assertEquals("TaskGroup[finished, errors=1]", kept[0].toString());
            assertTrue(new TaskGroupException(List.of(new IllegalStateException())).getMessage()
                    .endsWith("(1 sub-exception)"));
            assertTrue(new TaskGroupException(List.of(new IllegalStateException(), new IllegalStateException()))
                    .getMessage().endsWith("(2 sub-exceptions)"));
            return null;
        });
    }

    @Test
    @DisplayName("the parent cancelled while the group waits for its tasks after the body: the tasks are cancelled and CancelledError propagates")
    void parentCancelledWhileExitWaits() {
        run(() -> {
            Task<?>[] child = new Task<?>[1];
            boolean[] bodyDone = {false};
            Task<Object> parent = loop.createTask(() -> TaskGroup.run(g -> {
                child[0] = g.createTask(() -> Async.sleep(LONG, "child"));
                bodyDone[0] = true;
                return null;
            }));
            spin(2);
            assertTrue(bodyDone[0] && !parent.isDone(), "the group waits for its task");
            parent.cancel();
            assertThrows(CancelledError.class, () -> await(parent));
            assertTrue(child[0].isCancelled());
            return null;
        });
    }

    @Test
    @DisplayName("a task failing after its parent finished (a group from open() never closed) goes to the exception handler")
    void failureAfterParentFinishedIsReported() {
        run(() -> {
            IllegalStateException late = new IllegalStateException("late");
            Task<?>[] child = new Task<?>[1];
            Task<Void> parent = loop.createTask(() -> {
                TaskGroup g = TaskGroup.open();
                child[0] = g.createTask(() -> {
                    Async.sleep(Duration.ofMillis(1));
                    throw late;
                });
                return null;
            });
            await(parent);
            assertSame(late, assertThrows(IllegalStateException.class, () -> await(child[0])));
            spin(1);
            assertEquals(1, reports.size(), reports.toString());
            assertTrue(reports.get(0).message().contains("has errored out but its parent task"), reports.toString());
            assertSame(late, reports.get(0).exception().orElseThrow());
            return null;
        });
    }
}
