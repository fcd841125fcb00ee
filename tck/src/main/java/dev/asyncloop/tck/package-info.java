/**
 * The conformance kit: {@link dev.asyncloop.tck.EventLoopConformanceSuite} (and
 * {@link dev.asyncloop.tck.ProviderConformanceSuite}) for a loop author's tests, {@link dev.asyncloop.tck.Main} for
 * the console runner, and {@link dev.asyncloop.tck.PollerContractSuite} for a {@link dev.asyncloop.spi.Poller} on
 * its own. Parameters and results are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.asyncloop.tck;

import org.jspecify.annotations.NullMarked;
