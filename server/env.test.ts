import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError, parseEnv } from "./env";

describe("parseEnv", () => {
  it("applies defaults and derives store folders from DATA_DIR", () => {
    const env = parseEnv({ DATA_DIR: "/srv/dermflag" });
    expect(env.PORT).toBe(3000);
    expect(env.DERMFLAG_DEMO).toBe(false);
    expect(env.IMAGE_STORE_DIR).toBe("/srv/dermflag/images");
    expect(env.MODEL_STORE_DIR).toBe("/srv/dermflag/models");
  });

  it("names the variable that is wrong", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: must be a postgresql/);
    expect(() => parseEnv({ PORT: "eighty" })).toThrow(/PORT/);
    expect(() => parseEnv({ AUTH_SECRET: "short" })).toThrow(/AUTH_SECRET: must be at least 32/);
    expect(() => parseEnv({ ML_BACKEND: "cuda" })).toThrow(/ML_BACKEND/);
  });

  it("reports every bad variable at once", () => {
    try {
      parseEnv({ PORT: "-1", SESSION_MAX_AGE_HOURS: "0" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEnvironmentError);
      const names = (error as InvalidEnvironmentError).issues.map((issue) => issue.split(":")[0]);
      expect(names).toEqual(["PORT", "SESSION_MAX_AGE_HOURS"]);
    }
  });

  it("requires a first-admin password with a first-admin email", () => {
    expect(() => parseEnv({ FIRST_ADMIN_EMAIL: "admin@clinic.example" })).toThrow(/FIRST_ADMIN_PASSWORD/);
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });
});
