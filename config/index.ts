export { type Config, ConfigError, loadConfig, parseApiKeys, type RawEnv } from "./config.js";
