package dev.asyncloop.tck;

/**
 * What a report says about the run: the loop under test and the environment.
 *
 * @param loop the provider's description ({@code EventLoops.describe})
 * @param reason why it was chosen
 * @param engine the coroutine engine's name
 * @param jdk the JDK's version and vendor
 */
record RunHeader(String loop, String reason, String engine, String jdk) {
    /** @return the JDK running this code, e.g. {@code 25+36-LTS (Eclipse Adoptium)} */
    static String currentJdk() {
        return Runtime.version() + " (" + System.getProperty("java.vendor", "unknown vendor") + ")";
    }
}
