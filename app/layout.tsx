import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TrpcProviders } from "./_lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = { title: "Tandem", description: "One SQL, a stream job and a batch job." };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TrpcProviders>{children}</TrpcProviders>
      </body>
    </html>
  );
}
