import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TrpcProviders } from "./_lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = { title: "Tandem", description: "One SQL, a stream job and a batch job." };

const THEME_SCRIPT = `try{var t=localStorage.getItem("tandem-theme");if(t!=="light"&&t!=="dark")t=matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light";document.documentElement.dataset.theme=t}catch(e){}`;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The theme is applied before the first paint (no light flash for dark users): the saved choice, else the OS's.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_SCRIPT }} />
      </head>
      <body>
        <TrpcProviders>{children}</TrpcProviders>
      </body>
    </html>
  );
}
