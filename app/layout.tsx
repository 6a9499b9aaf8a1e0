import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "./_trpc/provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "DermFlag", template: "%s · DermFlag" },
  description: "A second look before the biopsy.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
