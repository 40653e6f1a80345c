// The web console and the dashboard in headless Chromium (Debian's), driven by playwright-core.
// Run by bot/tests/browser.rs against a running app: APP_URL, ADMIN_TOKEN, ARTIFACTS (where
// screenshots go), APP_TODAY (the app's date: its clock is fixed, so nothing here reads the real one). The app has the demo data seeded: 김휴가 (employee), 이매니저 (manager of
// 제주 바람), 설악 오션 approving by itself.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const APP = process.env.APP_URL;
const ADMIN_TOKEN = process.env.ADMIN_TOKEN;
const ARTIFACTS = process.env.ARTIFACTS;
const APP_TODAY = process.env.APP_TODAY;
const TIMEOUT = 15_000;
// Without the background-networking flags Chromium keeps trying hosts this closed network refuses.
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let browser;
const dialogs = [];
const booked = {};

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: FLAGS });
});
after(async () => browser?.close());

async function open(path = '/', locale = 'ko-KR') {
  const context = await browser.newContext({ locale, viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  await page.goto(APP + path);
  return page;
}

async function signInAs(page, name) {
  await page.locator('#people button', { hasText: name }).click();
  await page.locator('#alerts-state[data-state="connected"]').waitFor();
  await page.locator('#quick button').first().waitFor();
}

/** The app's date `days` after its today, as YYYY-MM-DD. */
function inDays(days) {
  return new Date(Date.parse(APP_TODAY + 'T00:00:00Z') + days * 86_400_000).toISOString().slice(0, 10);
}

test('an employee books through the buttons and sees the confirmation arrive live', async () => {
  const page = await open();
  await signInAs(page, '김휴가');
  await page.locator('#quick button[data-press="m:book"]').click();
  await page.locator('#log button[data-press^="fr:"]', { hasText: '설악 오션' }).click();
  const calendar = page.locator('#log table.calendar');
  await calendar.waitFor();
  assert.equal(await calendar.locator('button[data-press^="fm:"]', { hasText: '이전 달' }).count(), 0,
    'the first month shown has no way back');
  await calendar.locator('button[data-press^="fm:"]', { hasText: '다음 달' }).click();
  await calendar.locator('button[data-press^="fm:"]', { hasText: '이전 달' }).click();
  // A night two days from the app's today: within what the dashboard's occupancy shows.
  booked.night = inDays(2);
  await calendar.locator(`button.open[data-press="fd:${booked.night}"]`).waitFor();
  await page.screenshot({ path: `${ARTIFACTS}/calendar.png`, fullPage: true });
  await calendar.locator(`button[data-press="fd:${booked.night}"]`).click();
  await page.locator('#log button[data-press="fn:2"]').click();
  await page.locator('#log button[data-press="fg:2"]').click();
  await page.locator('#log li.bot', { hasText: '예약 후' }).waitFor();
  await page.locator('#log button[data-press="fc"]').click();
  const requested = page.locator('#log li.bot', { hasText: '예약 요청을 접수했습니다' });
  await requested.waitFor();
  booked.reference = (await requested.textContent()).match(/참조번호 (\w+)/)[1];
  assert.equal(await page.locator('#log table.calendar').count(), 0, 'each step replaced the one before');
  const alert = page.locator('#log li.alert', { hasText: booked.reference });
  await alert.waitFor();
  assert.match(await alert.textContent(), /예약이 확정되었습니다/);
  await page.screenshot({ path: `${ARTIFACTS}/console.png`, fullPage: true });
  await page.context().close();
});

test('a manager in another browser approves from the pushed buttons and the employee sees it live', async () => {
  const employee = await open();
  await signInAs(employee, '김휴가');
  const manager = await open();
  await signInAs(manager, '이매니저');
  await employee.locator('#text').fill(`예약 제주 바람 ${inDays(40)} 1박`);
  await employee.locator('#say button').click();
  const requested = employee.locator('#log li.bot', { hasText: '예약 요청을 접수했습니다' });
  await requested.waitFor();
  const reference = (await requested.textContent()).match(/참조번호 (\w+)/)[1];

  const request = manager.locator('#log li.alert', { hasText: reference });
  await request.waitFor();
  await request.locator('button[data-press^="ap:"]').click();
  await manager.locator('#log li', { hasText: '이매니저님이 승인했습니다' }).waitFor();
  assert.equal(await manager.locator(`#log button[data-press="ap:${reference}"]`).count(), 0, 'the buttons are gone');
  await employee.locator('#log li.alert', { hasText: `예약이 확정되었습니다. 참조번호 ${reference}` }).waitFor();

  // Someone else's token cannot be made up: a turn without a real session is refused.
  const forged = await employee.evaluate(async () => (await fetch('/console/turn', {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer forged' },
    body: JSON.stringify({ text: '포인트' }),
  })).status);
  assert.equal(forged, 401);
  await employee.context().close();
  await manager.context().close();
});

test('the dashboard shows the booking confirmed and the room held', async () => {
  const page = await open('/dashboard');
  await page.locator('#token').fill(ADMIN_TOKEN);
  await page.locator('#token-form button').click();
  await page.locator(`#bookings tr[data-reference="${booked.reference}"][data-status="confirmed"]`).waitFor();
  const night = page.locator(`#occupancy tr[data-resort="설악 오션"] td[data-night="${booked.night}"]`);
  await night.waitFor();
  assert.equal(await night.textContent(), '1');
  assert.match(await page.locator(`#bookings tr[data-reference="${booked.reference}"]`).textContent(), /hotel\.confirmed/);
  // The bookings report downloads with the token, as the CSV file the API names.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-report="bookings"]').click()]);
  assert.match(download.suggestedFilename(), /^bookings-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const file = await readFile(await download.path());
  assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark first');
  assert.ok(file.toString('utf8').includes(booked.reference), 'the booking is in the report');
  await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
  await page.context().close();
});

test('a resort named like markup is shown as text everywhere', async () => {
  const name = '<img src=x onerror=alert(1)>';
  const created = await fetch(`${APP}/api/v1/resorts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ name, region: '<b>x</b>', rooms: 1, points_per_night: 10, max_nights: 2, auto_approve: true,
      approval_hours: 24, free_cancel_days: 1, late_refund_percent: 0 }),
  });
  assert.equal(created.status, 201);
  const page = await open();
  await signInAs(page, '김휴가');
  await page.locator('#quick button[data-press="m:book"]').click();
  const choice = page.locator('#log button[data-press^="fr:"]', { hasText: name });
  await choice.waitFor();
  assert.equal(await choice.textContent(), name);
  assert.equal(await page.locator('#log img, #log b').count(), 0);
  const dashboard = await open('/dashboard');
  await dashboard.locator('#token').fill(ADMIN_TOKEN);
  await dashboard.locator('#token-form button').click();
  await dashboard.locator('#occupancy tr th', { hasText: name }).waitFor();
  assert.equal(await dashboard.locator('#occupancy img').count(), 0);
  assert.deepEqual(dialogs, [], 'no script ran');
  await page.context().close();
  await dashboard.context().close();
});

test('the console follows the browser language and switches', async () => {
  const page = await open('/', 'en-US');
  await page.locator('#login h2', { hasText: 'Who are you?' }).waitFor();
  await page.locator('#lang').selectOption('ko');
  await page.locator('#login h2', { hasText: '누구로 대화할까요?' }).waitFor();
  await page.context().close();
});
