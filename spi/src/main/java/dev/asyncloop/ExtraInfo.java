package dev.asyncloop;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/** The typed form of the {@code getExtraInfo} methods: one cast, with a message that says what was there. */
final class ExtraInfo {
    private ExtraInfo() {
    }

    /**
     * Looks {@code key} up with {@code lookup} and casts what it finds to {@code type}.
     *
     * @throws NullPointerException if {@code key} or {@code type} is null
     * @throws ClassCastException if the value is not a {@code type}; the message names the key and both types
     */
    static <T> Optional<T> as(String key, Class<T> type, Function<String, Optional<Object>> lookup) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        return lookup.apply(key).map(value -> {
            if (!type.isInstance(value)) {
                throw new ClassCastException("extra info '" + key + "' is a " + value.getClass().getName()
                        + ", not a " + type.getName());
            }
            return type.cast(value);
        });
    }
}
