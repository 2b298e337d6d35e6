// Logs in to Home Assistant in headless Chromium and takes the screenshots a plan lists.
// Usage: node scripts/screenshot.mjs <plan.json>   (scripts/screenshot.py writes the plan)
//
// A plan: { baseUrl, username, password, timeZone, shots: [...] }, each shot one of
//   { kind: "page", path, waitFor, output, height, clipTo? }    a page once `waitFor` shows; with
//                                                               `clipTo` only down to that text
//   { kind: "more_info", path, waitFor, entityId, expect, output, height }
//                                                               an entity's dialog over a page,
//                                                               once every `expect` text shows
//   { kind: "options", title, output, height }                  an entry's options dialog
//   { kind: "calendar", waitFor, hide, view, expect, height, clipTo? }
//                                                               the calendar panel without the
//                                                               `hide` calendars, in a view
//   { kind: "stack", parts: [shot, ...], output }               the parts' pictures (shots
//                                                               without output), one under another
//   { kind: "moogo_retry", email, password, url, output, height } the Moogo form after a failed login
// Every page is checked for failed cards (hui-error-card): the run fails if one shows.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

// playwright-core is installed into .node/ (git-ignored) by scripts/screenshot.
const require = createRequire(`${process.env.BROWSER_TOOLS}/package.json`);
const { chromium } = require("playwright-core");

const plan = JSON.parse(readFileSync(process.argv[2], "utf-8"));
const TIMEOUT = 30000;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

async function logIn(page) {
  // Any page first sends the browser through the login page and back to it.
  await page.goto(`${plan.baseUrl}/`);
  // The login form lives in shadow DOM; Playwright's CSS engine pierces open shadow roots.
  await page.locator('input[name="username"]').fill(plan.username, { timeout: TIMEOUT });
  await page.locator('input[name="password"]').fill(plan.password);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => !url.pathname.startsWith("/auth"), { timeout: TIMEOUT });
  // The frontend trades the code for tokens and keeps them; leaving before that (a busy
  // machine) sends the next page back to the login.
  await page.waitForFunction(() => localStorage.getItem("hassTokens") !== null, null, {
    timeout: TIMEOUT,
  });
}

async function openPage(page, shot) {
  await page.goto(`${plan.baseUrl}${shot.path}`);
  // Device pages and dashboards render their cards once the websocket delivered the states.
  await page.getByText(shot.waitFor).first().waitFor({ timeout: TIMEOUT });
}

async function openMoreInfo(page, shot) {
  await openPage(page, shot);
  // What a click on the entity's row does: the frontend opens the dialog on this event.
  await page.evaluate((entityId) => {
    document.querySelector("home-assistant").dispatchEvent(
      new CustomEvent("hass-more-info", { detail: { entityId }, bubbles: true, composed: true }),
    );
  }, shot.entityId);
  for (const text of shot.expect) {
    await page.getByText(text).first().waitFor({ timeout: TIMEOUT });
  }
}

async function openOptions(page, shot) {
  // The integration page lists every entry with a Configure button; open each until the
  // dialog with the wanted title shows.
  await page.goto(`${plan.baseUrl}/config/integrations/integration/openevse_moogo`);
  const buttons = page.getByRole("button", { name: "Configure" });
  await buttons.first().waitFor({ timeout: TIMEOUT });
  const count = await buttons.count();
  for (let index = 0; index < count; index++) {
    await buttons.nth(index).click();
    const title = page.getByText(shot.title, { exact: true }).first();
    try {
      await title.waitFor({ timeout: 5000 });
      return;
    } catch {
      await page.keyboard.press("Escape");
      await page.waitForTimeout(500);
    }
  }
  throw new Error(`no options dialog titled ${shot.title}`);
}

async function failMoogoLogin(page, shot) {
  // The add-integration deep link, then the menu, then a wrong password on a custom server.
  await page.goto(`${plan.baseUrl}/config/integrations/dashboard/add?domain=openevse_moogo`);
  await page.getByRole("button", { name: "OK" }).click({ timeout: TIMEOUT });
  await page.getByText("Moogo account", { exact: true }).first().click({ timeout: TIMEOUT });
  await page.getByText("Advanced", { exact: true }).first().click({ timeout: TIMEOUT });
  await page.locator('input[name="email"]').fill(shot.email);
  await page.locator('input[name="password"]').fill(shot.password);
  await page.locator('input[name="url"]').fill(shot.url);
  await page.getByRole("button", { name: "Submit" }).click();
  await page.getByText("Invalid email or password").first().waitFor({ timeout: TIMEOUT });
  // The retry must go to the same server: the address is still there, and visible.
  const url = page.locator('input[name="url"]');
  if (!(await url.isVisible()) || (await url.inputValue()) !== shot.url) {
    throw new Error(`the form lost the cloud server address: ${await url.inputValue()}`);
  }
}

async function openCalendar(page, shot) {
  await page.goto(`${plan.baseUrl}/calendar`);
  await page.getByText(shot.waitFor).first().waitFor({ timeout: TIMEOUT });
  for (const name of shot.hide) {
    await page.getByText(name, { exact: true }).first().click({ timeout: TIMEOUT });
  }
  await page.getByRole("button", { name: shot.view }).first().click({ timeout: TIMEOUT });
  await page.locator(shot.expect).first().waitFor({ timeout: TIMEOUT }); // a CSS selector
}

async function clip(page, shot) {
  // The page from its top down to the card row holding `clipTo` (and the card's padding).
  if (!shot.clipTo) return undefined;
  const box = await page.getByText(shot.clipTo, { exact: true }).first().boundingBox();
  if (box === null) throw new Error(`${shot.clipTo} is not on the page`);
  return { x: 0, y: 0, width: 1280, height: Math.ceil(box.y + box.height + 24) };
}

const OPEN = {
  page: openPage,
  more_info: openMoreInfo,
  calendar: openCalendar,
  options: openOptions,
  moogo_retry: failMoogoLogin,
};

async function capture(page, shot) {
  // One picture of a shot: opened, settled, checked for failed cards; PNG bytes.
  await page.setViewportSize({ width: 1280, height: shot.height ?? 900 });
  await OPEN[shot.kind](page, shot);
  await page.waitForTimeout(2000); // let the cards settle
  const errorCards = await page.locator("hui-error-card").count();
  if (errorCards > 0) throw new Error(`${errorCards} failed card(s)`);
  return page.screenshot({ clip: await clip(page, shot) });
}

async function stack(page, shot) {
  // The parts one under another, drawn by the browser itself.
  const pictures = [];
  for (const part of shot.parts) {
    pictures.push((await capture(page, part)).toString("base64"));
    await page.keyboard.press("Escape");
  }
  // A page of its own: navigating Home Assistant's page away mid-update cuts its websocket
  // while the server writes to it, which Home Assistant logs as an error.
  const canvas = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await canvas.setContent(
      `<body style="margin:0;background:#fafafa">${pictures
        .map((png) => `<img style="display:block" src="data:image/png;base64,${png}">`)
        .join("")}</body>`,
    );
    return await canvas.screenshot({ fullPage: true });
  } finally {
    await canvas.close();
  }
}

let failed = false;
try {
  // Times show in the browser's zone: the demo's, as its owner at home would see them.
  const page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    timezoneId: plan.timeZone,
  });
  page.on("console", (message) => {
    if (message.type() === "error") console.log(`browser console: ${message.text()}`);
  });
  page.on("requestfailed", (request) => console.log(`request failed: ${request.url()}`));
  await logIn(page);
  for (const shot of plan.shots) {
    try {
      const picture = shot.kind === "stack" ? await stack(page, shot) : await capture(page, shot);
      writeFileSync(shot.output, picture);
      console.log(`saved ${shot.output}`);
    } catch (error) {
      failed = true;
      await page.screenshot({ path: `${shot.output}.failed.png` });
      console.log(`${shot.output}: ${error.message} (at ${page.url()})`);
    }
    await page.keyboard.press("Escape");
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
