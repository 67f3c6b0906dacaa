export type { UserDataDeployment } from './render.ts';
export {
  RESTART_SERVER_COMMAND,
  renderUserData,
  SERVICE_NAME,
  serverEnvironment,
  USER_DATA_LIMIT_BYTES,
} from './render.ts';
export { parseServerEnv, SERVER_ENV_DELIMITER } from './server-env.ts';
