/** Backup and restore of DermFlag's state: the database's public schema, the image store and the model store. */
export { createBackup, type BackupSummary } from "./create-backup";
export { restoreBackup } from "./restore-backup";
