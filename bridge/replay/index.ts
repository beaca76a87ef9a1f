export {
  latestTime,
  listReplayFiles,
  ReplayFileError,
  readReplayMessages,
  readScenario,
  type Scenario,
  shiftTimes,
} from "./scenario-file.js";
