/**
 * Who may do what: the one place that decides. Procedures, pages and routes ask `can(role, permission)`.
 */
export const ROLES = ["DERMATOLOGIST", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  DERMATOLOGIST: "Dermatologist",
  ADMIN: "Administrator",
};

const PERMISSIONS = {
  /** Read patients, lesions, images, assessments, outcomes, flags and predictions. */
  "clinical:read": ["DERMATOLOGIST", "ADMIN"],
  /** Register patients and lesions, upload images, record assessments and biopsy outcomes. */
  "clinical:write": ["DERMATOLOGIST", "ADMIN"],
  /** Decide flags in the reviewer queue. */
  "review:decide": ["DERMATOLOGIST", "ADMIN"],
  /** Acknowledge a safety event (a malignancy the model called likely benign, or a deferred one). */
  "safety:acknowledge": ["DERMATOLOGIST", "ADMIN"],
  /** Read the model registry and model cards. */
  "models:read": ["DERMATOLOGIST", "ADMIN"],
  /** Launch retraining, promote, roll back, edit the schedule and operating point, switch deferral suggestions. */
  "models:manage": ["ADMIN"],
  /** Read the outcomes dashboard. */
  "outcomes:read": ["DERMATOLOGIST", "ADMIN"],
  /** Manage users and roles. */
  "users:manage": ["ADMIN"],
  /** Run data-set imports. */
  "imports:run": ["ADMIN"],
  /** Search the audit log. */
  "audit:read": ["ADMIN"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role) return false;
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
