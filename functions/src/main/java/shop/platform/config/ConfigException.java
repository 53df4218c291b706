package shop.platform.config;

/** ConfigException says which environment variable is wrong and why; thrown at start, never per request. */
public final class ConfigException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for one variable. */
    public ConfigException(String variable, String problem) {
        super("environment variable " + variable + " " + problem);
    }
}
