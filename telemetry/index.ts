export { createLogger, type Logger, redactUrl } from "./logger.js";
export { Metrics } from "./metrics.js";
