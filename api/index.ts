export { type App, type AppDeps, createApp } from "./app.js";
export { problem } from "./problem.js";
export { type RcaView, rcaView } from "./views.js";
