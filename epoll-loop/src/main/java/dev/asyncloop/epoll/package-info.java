/**
 * The Linux loop over epoll: {@link dev.asyncloop.epoll.EpollEventLoop}, found as the provider {@code epoll}.
 * Parameters and results are non-null unless marked {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.asyncloop.epoll;

import org.jspecify.annotations.NullMarked;
