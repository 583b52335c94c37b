/**
 * Browser tests drive Debian's Chromium (/usr/bin/chromium, installed by scripts/install-system-deps.sh) with
 * playwright-core; no browser is ever downloaded. Without Chromium the suites are skipped with a printed reason.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";

export const CHROMIUM = "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `[browser tests] skipped: ${CHROMIUM} is missing (scripts/install-system-deps.sh installs Debian's chromium)`,
  );
}

/** Flags that keep Chromium quiet on a machine without internet (no background connections, no sync, no QUIC). */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** One browser per test file; Playwright gives it a fresh temporary --user-data-dir of its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught script errors on the page: suites assert there are none. */
  errors: string[];
}

type Viewport = { width: number; height: number };

export async function newPage(browser: Browser, viewport: Viewport): Promise<TestPage> {
  const phone = viewport.width < 500;
  const context = await browser.newContext({
    viewport,
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  return { context, page, errors };
}

/**
 * Launches Chromium before the suite's tests (call it inside the suite's `describe`) and closes it after them.
 * Its pages, each in a context of its own, are filled in before the first test: `desktop` (1280×800), `phone`
 * (390 px, touch) and any `more`, named with their viewports.
 */
export function useChromium<Name extends string = never>(
  more = {} as Record<Name, Viewport>,
): Record<"desktop" | "phone" | Name, TestPage> {
  const viewports: Record<string, Viewport> = { desktop: DESKTOP, phone: PHONE, ...more };
  const pages = Object.fromEntries(Object.keys(viewports).map((name) => [name, {} as TestPage]));
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    for (const [name, viewport] of Object.entries(viewports)) {
      Object.assign(pages[name]!, await newPage(browser, viewport));
    }
  });
  afterAll(async () => {
    await browser?.close();
  });
  return pages as Record<"desktop" | "phone" | Name, TestPage>;
}

const SCREENSHOTS = join(process.cwd(), "screenshots");

/** Full-page screenshot into screenshots/ (gitignored), for people to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
