/** Backup and restore of DermFlag's state: the database's public schema, the image store and the model store. */
export { BackupError, type BackupErrorCode } from "./backup-error";
export { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, EXCLUDED_SCHEMAS, type BackupManifest } from "./backup-manifest";
export { createBackup, type BackupSummary, type CreateBackupOptions } from "./create-backup";
export { restoreBackup, type RestoreBackupOptions, type RestoreSummary } from "./restore-backup";
export { verifyBackup, type VerifiedBackup } from "./verify-backup";
