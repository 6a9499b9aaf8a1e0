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

  it("trusts no forwarding proxy unless told, and accepts only addresses and CIDR ranges", () => {
    expect(parseEnv({}).TRUSTED_PROXIES).toEqual([]);
    expect(parseEnv({ TRUSTED_PROXIES: " 127.0.0.1, ::1 ,10.0.0.0/8,fd00::/8" }).TRUSTED_PROXIES).toEqual([
      "127.0.0.1",
      "::1",
      "10.0.0.0/8",
      "fd00::/8",
    ]);
    for (const bad of ["proxy.internal", "10.0.0.0/33", "::1/129", "10.0.0.1/8/8", "*"]) {
      expect(() => parseEnv({ TRUSTED_PROXIES: bad }), bad).toThrow(/TRUSTED_PROXIES/);
    }
  });

  it("keeps the idle timeout within the absolute session lifetime", () => {
    expect(parseEnv({}).SESSION_IDLE_TIMEOUT_MINUTES).toBe(30);
    expect(() => parseEnv({ SESSION_MAX_AGE_HOURS: "1", SESSION_IDLE_TIMEOUT_MINUTES: "61" })).toThrow(/SESSION_IDLE_TIMEOUT_MINUTES/);
  });

  it("takes OpenID Connect settings all together, a role map only with its claim, and password sign-in off only with OIDC", () => {
    const oidc = {
      AUTH_URL: "https://dermflag.hospital.example",
      OIDC_ISSUER: "https://idp.hospital.example/realms/staff",
      OIDC_CLIENT_ID: "dermflag",
      OIDC_CLIENT_SECRET: "s3cret",
    };
    const env = parseEnv({
      ...oidc,
      OIDC_ROLE_CLAIM: "realm_access.roles",
      OIDC_ROLE_MAP: "dermflag-admins=ADMIN, dermatology=DERMATOLOGIST",
      OIDC_ALLOWED_DOMAINS: "Hospital.example, clinic.example",
      PASSWORD_SIGN_IN_DISABLED: "1",
    });
    expect(env.OIDC_ROLE_MAP).toEqual([
      { value: "dermflag-admins", role: "ADMIN" },
      { value: "dermatology", role: "DERMATOLOGIST" },
    ]);
    expect(env.OIDC_ALLOWED_DOMAINS).toEqual(["hospital.example", "clinic.example"]);
    expect(() => parseEnv({ OIDC_ISSUER: oidc.OIDC_ISSUER })).toThrow(/set all three or none/);
    expect(() => parseEnv({ ...oidc, OIDC_ISSUER: "http://idp.hospital.example" })).toThrow(/OIDC_ISSUER: must be an https/);
    expect(parseEnv({ ...oidc, OIDC_ISSUER: "http://127.0.0.1:3109" }).OIDC_ISSUER).toBe("http://127.0.0.1:3109");
    expect(() => parseEnv({ ...oidc, OIDC_ROLE_MAP: "x=ADMIN" })).toThrow(/OIDC_ROLE_MAP: needs OIDC_ROLE_CLAIM/);
    expect(() => parseEnv({ ...oidc, OIDC_ROLE_CLAIM: "groups", OIDC_ROLE_MAP: "x=ROOT" })).toThrow(/OIDC_ROLE_MAP/);
    expect(() => parseEnv({ PASSWORD_SIGN_IN_DISABLED: "1" })).toThrow(/PASSWORD_SIGN_IN_DISABLED: needs OpenID Connect/);
  });

  it("requires a first-admin password with a first-admin email", () => {
    expect(() => parseEnv({ FIRST_ADMIN_EMAIL: "admin@clinic.example" })).toThrow(/FIRST_ADMIN_PASSWORD/);
  });

  it("keeps images on the local disk unless IMAGE_STORE=s3", () => {
    const env = parseEnv({});
    expect(env.IMAGE_STORE).toBe("local");
    expect(env.S3_REGION).toBe("us-east-1");
    expect(env.S3_FORCE_PATH_STYLE).toBe(false);
    expect(() => parseEnv({ IMAGE_STORE: "gcs" })).toThrow(/IMAGE_STORE/);
  });

  it("reads the S3 image store settings", () => {
    const env = parseEnv({
      IMAGE_STORE: "s3",
      S3_BUCKET: "dermflag-images",
      S3_REGION: "eu-central-1",
      S3_ENDPOINT: "http://minio.internal:9000",
      S3_ACCESS_KEY_ID: "dermflag",
      S3_SECRET_ACCESS_KEY: "a-secret",
      S3_FORCE_PATH_STYLE: "1",
      S3_PREFIX: "clinic-a/images",
    });
    expect(env).toMatchObject({
      IMAGE_STORE: "s3",
      S3_BUCKET: "dermflag-images",
      S3_REGION: "eu-central-1",
      S3_ENDPOINT: "http://minio.internal:9000",
      S3_ACCESS_KEY_ID: "dermflag",
      S3_SECRET_ACCESS_KEY: "a-secret",
      S3_FORCE_PATH_STYLE: true,
      S3_PREFIX: "clinic-a/images",
    });
  });

  it("requires S3_BUCKET with IMAGE_STORE=s3", () => {
    expect(() => parseEnv({ IMAGE_STORE: "s3" })).toThrow(/S3_BUCKET: required when IMAGE_STORE is s3/);
    expect(() => parseEnv({ IMAGE_STORE: "s3", S3_BUCKET: "" })).toThrow(/S3_BUCKET/);
    expect(parseEnv({ IMAGE_STORE: "s3", S3_BUCKET: "dermflag-images" }).S3_BUCKET).toBe("dermflag-images");
  });

  it("refuses half a key pair, a non-http endpoint and a prefix that escapes", () => {
    expect(() => parseEnv({ S3_ACCESS_KEY_ID: "dermflag" })).toThrow(/S3_SECRET_ACCESS_KEY: required when S3_ACCESS_KEY_ID/);
    expect(() => parseEnv({ S3_SECRET_ACCESS_KEY: "a-secret" })).toThrow(/S3_ACCESS_KEY_ID: required when S3_SECRET_ACCESS_KEY/);
    expect(() => parseEnv({ S3_ENDPOINT: "minio.internal:9000" })).toThrow(/S3_ENDPOINT: must be an http/);
    expect(() => parseEnv({ S3_ENDPOINT: "ftp://minio.internal" })).toThrow(/S3_ENDPOINT/);
    for (const prefix of ["a/../b", "..", "a//b", "a\\b"]) expect(() => parseEnv({ S3_PREFIX: prefix })).toThrow(/S3_PREFIX/);
  });

  it("does not echo a secret in its messages", () => {
    try {
      parseEnv({ IMAGE_STORE: "s3", S3_SECRET_ACCESS_KEY: "super-secret-value" });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain("super-secret-value");
      expect((error as InvalidEnvironmentError).issues).toEqual([
        "S3_BUCKET: required when IMAGE_STORE is s3",
        "S3_ACCESS_KEY_ID: required when S3_SECRET_ACCESS_KEY is set",
      ]);
    }
  });

  it("treats empty strings as unset", () => {
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });
});
