import { describe, expect, it } from "vitest";
import { BackupError } from "./backup-error";
import { committedMigrationNames, migrationsNewerThanBackup } from "./migrations";

describe("migrationsNewerThanBackup", () => {
  const code = ["20260101000000_init", "20260201000000_more", "20260301000000_latest"];

  it("accepts a backup at the code's level, and lists the code's migrations an older backup lacks", () => {
    expect(migrationsNewerThanBackup(code, code)).toEqual([]);
    expect(migrationsNewerThanBackup(code.slice(0, 1), code)).toEqual(code.slice(1));
  });

  it("refuses a backup with a migration the code does not have, naming it", () => {
    const attempt = () => migrationsNewerThanBackup([...code, "20270101000000_future"], code);
    expect(attempt).toThrow(BackupError);
    expect(attempt).toThrow(/newer DermFlag.*20270101000000_future/);
  });

  it("reads the committed migrations in the order Prisma applies them", () => {
    const names = committedMigrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(names[0]).toMatch(/_init$/);
    expect([...names].sort()).toEqual(names);
  });
});
