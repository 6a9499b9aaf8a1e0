import { z } from "zod";
import { ROLES } from "../../auth/roles";
import {
  changeOwnPassword,
  changeOwnPasswordInput,
  createUser,
  createUserInput,
  listUsers,
  resetPassword,
  resetPasswordInput,
  unlockUser,
  unlockUserInput,
  updateUser,
  updateUserInput,
} from "../../services/users/users";
import { adminProcedure, createTRPCRouter, signedInProcedure } from "../init";

const userOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  // Null: an account that has no role yet (nothing opens for it until an admin gives one).
  role: z.enum(ROLES).nullable(),
  active: z.boolean(),
  lastLoginAt: z.date().nullable(),
  createdAt: z.date(),
  lockedUntil: z.date().nullable(),
  locked: z.boolean(),
  mustChangePassword: z.boolean(),
});

export const usersRouter = createTRPCRouter({
  me: signedInProcedure
    .output(z.object({ id: z.string(), email: z.string(), name: z.string(), role: z.enum(ROLES) }))
    .query(({ ctx }) => ctx.user),
  list: adminProcedure.output(z.array(userOutput)).query(({ ctx }) => listUsers({ db: ctx.db })),
  create: adminProcedure
    .input(createUserInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => createUser({ db: ctx.db, actorId: ctx.user.id, input })),
  /** Role change, deactivation, reactivation. */
  update: adminProcedure
    .input(updateUserInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => updateUser({ db: ctx.db, actorId: ctx.user.id, input })),
  resetPassword: adminProcedure
    .input(resetPasswordInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => resetPassword({ db: ctx.db, actorId: ctx.user.id, input })),
  unlock: adminProcedure
    .input(unlockUserInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => unlockUser({ db: ctx.db, actorId: ctx.user.id, input })),
  changeOwnPassword: signedInProcedure
    .input(changeOwnPasswordInput)
    .output(z.object({ changed: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await changeOwnPassword({ db: ctx.db, userId: ctx.user.id, input });
      return { changed: true as const };
    }),
});
