// Logs in to Home Assistant in headless Chromium, opens a device page and saves a screenshot.
// Usage: node scripts/screenshot.mjs <base url> <username> <password> <device path> <output.png>
import { createRequire } from "node:module";

// playwright-core is installed into .node/ (git-ignored) by scripts/screenshot.
const require = createRequire(`${process.env.BROWSER_TOOLS}/package.json`);
const { chromium } = require("playwright-core");

const [baseUrl, username, password, devicePath, output] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`browser console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => console.log(`request failed: ${request.url()}`));
  // Opening the device page first sends the browser through the login page and back to it.
  await page.goto(`${baseUrl}${devicePath}`);
  // The login form lives in shadow DOM; Playwright's CSS engine pierces open shadow roots.
  await page.locator('input[name="username"]').fill(username, { timeout: 30000 });
  await page.locator('input[name="password"]').fill(password);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/auth"), { timeout: 30000 });
  // The device page renders its entity cards once the websocket has delivered the states.
  try {
    await page.getByText("Charging current").first().waitFor({ timeout: 30000 });
  } catch (error) {
    await page.screenshot({ path: `${output}.failed.png` });
    console.log(page.url());
    throw error;
  }
  await page.waitForTimeout(1500); // let the cards settle
  await page.screenshot({ path: output });
  console.log(`saved ${output}`);
} finally {
  await browser.close();
}
