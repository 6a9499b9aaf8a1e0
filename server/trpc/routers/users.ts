import { z } from "zod";
import { ROLES } from "../../auth/roles";
import { createUser, createUserInput, listUsers, updateUser, updateUserInput } from "../../services/users/users";
import { adminProcedure, createTRPCRouter, signedInProcedure } from "../init";

const userOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  active: z.boolean(),
  lastLoginAt: z.date().nullable(),
  createdAt: z.date(),
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
  update: adminProcedure
    .input(updateUserInput)
    .output(userOutput)
    .mutation(({ ctx, input }) => updateUser({ db: ctx.db, actorId: ctx.user.id, input })),
});
