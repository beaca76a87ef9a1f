export { alertmanagerToMessages } from "./alertmanager.js";
export { type ApiKey, type App, type AppDeps, createApp } from "./app.js";
export { keyScope } from "./auth.js";
export { BULL_BOARD_PATH } from "./bull-board.js";
export { listDeadLetters, type RedriveResult, redrive } from "./dead-letter.js";
export { problem } from "./problem.js";
export { eventView, incidentView, type RcaView, rcaView, resourceSummary, topCauseView } from "./views.js";
