import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { env } from "@/server/env";
import { DemoBanner } from "./_components/demo-banner";
import { ZodWithoutEval } from "./_components/zod-without-eval";
import { TRPCReactProvider } from "./_trpc/provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "DermFlag", template: "%s · DermFlag" },
  description: "A second look before the biopsy.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Rendered per request, every page included: Next.js puts the request's CSP nonce (proxy.ts) on its scripts only
  // while rendering, so a page prerendered at build time (the 404 of an unknown address) would ship scripts the
  // policy blocks.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">
        {env().DERMFLAG_DEMO ? <DemoBanner /> : null}
        <ZodWithoutEval />
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
