/**
 * Launching Debian's Chromium through playwright-core (never a downloaded browser). Without the
 * browser the tests fail loudly with the install command; REQUIRE_CHROMIUM=1 is CI's way of saying the
 * same thing must never be tolerated there either.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM_PATH = process.env["TESSERA_CHROMIUM"] ?? "/usr/bin/chromium";

export interface LaunchedBrowser {
  /** A persistent context on a fresh, temporary profile directory. */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<LaunchedBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}; the dashboard's browser tests need it. ` +
        `Install it with: apt-get install -y --no-install-recommends chromium` +
        (process.env["REQUIRE_CHROMIUM"] === "1" ? " (REQUIRE_CHROMIUM=1: CI must install it)" : ""),
    );
  }
  const userDataDir = mkdtempSync(join(tmpdir(), "tessera-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    viewport: { width: 1400, height: 900 },
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
