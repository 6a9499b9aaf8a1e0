import type { ReactNode } from "react";
import { requireUser } from "@/server/auth/guards";
import { AppShell } from "../_components/app-shell";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const user = await requireUser();
  return <AppShell user={user}>{children}</AppShell>;
}
