export { defaultUiDir, mountUi, UI_BASE_PATH, type UiOptions } from "./mount-ui.js";
