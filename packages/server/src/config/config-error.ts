// A setting that cannot be used. The message names the key and what it expected; the server
// prints it and exits without starting.
export class ConfigError extends Error {}
