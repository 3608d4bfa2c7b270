// The browser demo (npm run demo) in headless Chromium: it loads the embedded model, generates
// 50 characters from a prompt, reports per-step latency, and a screenshot is saved.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without types
import { startDemoServer } from "../../demo/serve.mjs";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const out = fileURLToPath(new URL("../.out/", import.meta.url));
let browser: Browser;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  server = await startDemoServer(0);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("browser demo", () => {
  it("generates 50 characters, shows latency and the hidden state; screenshot saved", async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.waitForSelector("body[data-state=ready]", { timeout: 30_000 });
    await page.fill("#prompt", "A wise man ");
    await page.fill("#length", "50");
    await page.click("#go");
    await page.waitForSelector("body[data-state=done]", { timeout: 30_000 });
    const text = await page.textContent("#text");
    expect(text!.startsWith("A wise man ")).toBe(true);
    expect(text!.length).toBe("A wise man ".length + 50);
    expect(Number(await page.textContent("#latency"))).toBeGreaterThan(0);
    // The heat map has colour in it (hidden-state values were drawn).
    const lit = await page.evaluate(() => {
      const c = document.getElementById("heatmap") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, 60, 256).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 2] > 30) n++;
      return n;
    });
    expect(lit).toBeGreaterThan(100);
    mkdirSync(out, { recursive: true });
    await page.screenshot({ path: `${out}demo.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
});
