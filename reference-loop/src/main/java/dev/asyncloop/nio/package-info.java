/**
 * The portable reference loop: {@link dev.asyncloop.nio.NioEventLoop} over a {@link java.nio.channels.Selector},
 * found as the provider {@code nio}. Parameters and results are non-null unless marked
 * {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.asyncloop.nio;

import org.jspecify.annotations.NullMarked;
