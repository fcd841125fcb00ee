package dev.asyncloop.spi;

/**
 * How reports name a callback. A lambda's or method reference's class is hidden and its default {@code toString}
 * ({@code app.Main$$Lambda/0x00007f…@5e9f23b4}) changes from run to run; reports name it by the class that wrote
 * it instead, {@code lambda in app.Main}, the closest Java has to asyncio's {@code Main.<lambda>()} (a lambda keeps
 * no source line; debug mode adds where the callback was scheduled). Any other callback is named by its own
 * {@code toString}.
 */
final class CallbackNames {
    private static final String LAMBDA_MARK = "$$Lambda";

    private CallbackNames() {
    }

    /**
     * Names {@code callback} for a report.
     *
     * @param callback the callback
     * @return its name
     */
    static String describe(Object callback) {
        Class<?> type = callback.getClass();
        if (type.isHidden()) {
            String name = type.getName();
            int mark = name.indexOf(LAMBDA_MARK);
            if (mark > 0) {
                return "lambda in " + name.substring(0, mark);
            }
        }
        return callback.toString();
    }
}
