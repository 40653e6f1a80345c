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

const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

async function open(path = '/', locale = 'ko-KR', viewport = DESKTOP) {
  const context = await browser.newContext({ locale, viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  await page.goto(APP + path);
  return page;
}

async function signInAs(page, name) {
  await page.locator('#people button', { hasText: name }).click();
  await page.locator('#alerts-state[data-state="connected"]').waitFor();
  await page.locator('#menu button').first().waitFor();
}

/** Nothing sticks out sideways: the page is no wider than the screen. */
async function assertNoSidewaysScroll(page, what) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${what}: the page is ${scroll} px wide on a ${client} px screen`);
}

/** The element is wholly on screen, within the viewport's width and height. */
async function assertInView(page, locator, what) {
  const box = await locator.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(box, `${what} is shown`);
  assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= width + 0.5 && box.y + box.height <= height + 0.5,
    `${what} is in view: ${JSON.stringify(box)} on ${width}×${height}`);
}

/** The app's date `days` after its today, as YYYY-MM-DD. */
function inDays(days) {
  return new Date(Date.parse(APP_TODAY + 'T00:00:00Z') + days * 86_400_000).toISOString().slice(0, 10);
}

test('an employee books through the buttons on a phone and sees the confirmation arrive live', async () => {
  const page = await open('/', 'ko-KR', PHONE);
  await signInAs(page, '김휴가');
  // The main menu stays docked, and every line says when it came.
  await page.locator('#menu button[data-press="m:my"]').waitFor();
  await assertInView(page, page.locator('#say button'), 'the send button');
  assert.match(await page.locator('#log li.bot time').first().textContent(), /^\d{2}:\d{2}$/);
  await page.locator('#menu button[data-press="m:book"]').click();
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
  // The whole month fits the phone: the Sunday column and the next-month button included.
  await assertNoSidewaysScroll(page, 'the calendar');
  await calendar.scrollIntoViewIfNeeded();
  await assertInView(page, calendar.locator('th').last(), 'the Sunday column');
  await assertInView(page, calendar.locator('button[data-press^="fm:"]', { hasText: '다음 달' }), 'the next-month button');
  await page.screenshot({ path: `${ARTIFACTS}/calendar-phone.png` });
  await calendar.locator(`button[data-press="fd:${booked.night}"]`).click();
  await page.locator('#log button[data-press="fn:2"]').click();
  await page.locator('#log button[data-press="fg:2"]').click();
  await page.locator('#log li.bot', { hasText: '예약 후' }).waitFor();
  // The confirm button is on screen without scrolling, the composer still below it.
  await assertInView(page, page.locator('#log button[data-press="fc"]'), 'the confirm button');
  await assertInView(page, page.locator('#text'), 'the composer');
  await assertNoSidewaysScroll(page, 'the summary');
  await page.screenshot({ path: `${ARTIFACTS}/console-phone-confirm.png` });
  await page.locator('#log button[data-press="fc"]').click();
  const requested = page.locator('#log li.bot', { hasText: '예약 요청을 접수했습니다' });
  await requested.waitFor();
  booked.reference = (await requested.textContent()).match(/참조번호 (\w+)/)[1];
  assert.equal(await page.locator('#log table.calendar').count(), 0, 'each step replaced the one before');
  const alert = page.locator('#log li.alert', { hasText: booked.reference });
  await alert.waitFor();
  assert.match(await alert.textContent(), /예약이 확정되었습니다/);
  await assertInView(page, alert.locator('.bubble').last(), 'the newest alert');
  await assertNoSidewaysScroll(page, 'the chat');
  await page.screenshot({ path: `${ARTIFACTS}/console-phone.png` });
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
  // After deciding, the manager still has their menu.
  await manager.locator('#menu button[data-press="pp:0"]').waitFor();
  await manager.screenshot({ path: `${ARTIFACTS}/console.png` });

  // Someone else's token cannot be made up: a turn without a real session is refused.
  const forged = await employee.evaluate(async () => (await fetch('/console/turn', {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer forged' },
    body: JSON.stringify({ text: '포인트' }),
  })).status);
  assert.equal(forged, 401);
  await employee.context().close();
  await manager.context().close();
});

async function signInToDashboard(viewport = DESKTOP) {
  const page = await open('/dashboard', 'ko-KR', viewport);
  await page.locator('#token').fill(ADMIN_TOKEN);
  await page.locator('#token-form button').click();
  await page.locator('#heat tr[data-resort]').first().waitFor();
  return page;
}

test('the dashboard charts, filters and acts', async () => {
  const page = await signInToDashboard();
  await page.locator(`#bookings tr[data-reference="${booked.reference}"][data-status="confirmed"]`).waitFor();
  // The heat map holds the booked nights; today's bar counts the bookings; points per resort.
  const night = page.locator(`#heat tr[data-resort="설악 오션"] td[data-night="${booked.night}"]`);
  assert.equal(await night.textContent(), '1');
  const today = page.locator(`#per-day .bar[data-day="${inDays(0)}"]`);
  assert.ok(Number(await today.getAttribute('data-total')) >= 2, 'today has both bookings');
  assert.equal(await today.locator('.part.confirmed').count(), 1);
  await page.locator('#points-chart .hbar[data-label="설악 오션"]', { hasText: '200 P' }).waitFor();
  await page.locator('#approval-chart .hbar[data-label="제주 바람"]').waitFor();

  // Filters: one reference, then a status nothing has.
  await page.locator('#filters [name="reference"]').fill(booked.reference.toLowerCase());
  await page.locator('#filters button[type="submit"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#bookings tr[data-reference]').length === 1);
  await page.locator('#filters [name="status"]').selectOption('cancelled');
  await page.locator('#filters button[type="submit"]').click();
  await page.locator('#bookings caption').waitFor();
  await page.locator('#filters button[type="reset"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#bookings tr[data-reference]').length >= 2);

  // The detail reads as a timeline in words.
  await page.locator(`#bookings tr[data-reference="${booked.reference}"]`).click();
  await page.locator('#detail .timeline li[data-step="hotel.confirmed"]', { hasText: '예약 확정' }).waitFor();
  await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });

  // An action with a reason: cancel with every point back; the stream brings the new state.
  await page.locator('#cancel-form [name="reason"]').fill('리조트 공사');
  await page.locator('#cancel-form [name="full_refund"]').check();
  await page.locator('#cancel-form button[type="submit"]').click();
  await page.locator('#action-result.ok').waitFor();
  await page.locator(`#bookings tr[data-reference="${booked.reference}"][data-status="cancelled"]`).waitFor();
  await page.locator('#detail[data-status="cancelled"]').waitFor();
  await page.locator(`#heat tr[data-resort="설악 오션"] td[data-night="${booked.night}"][data-held="0"]`).waitFor();
  const audit = await (await fetch(`${APP}/api/v1/audit?action=x`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status;
  assert.equal(audit, 400, 'the audit refuses a filter it does not know');
  const rows = await (await fetch(`${APP}/api/v1/audit`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json();
  assert.ok(rows.items.some((row) => row.action === 'booking.cancel.full_refund' && row.reason === '리조트 공사'));

  // The bookings report downloads with the token, as the CSV file the API names.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-report="bookings"]').click()]);
  assert.match(download.suggestedFilename(), /^bookings-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
  const file = await readFile(await download.path());
  assert.deepEqual([...file.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a byte-order mark first');
  assert.ok(file.toString('utf8').includes(booked.reference), 'the booking is in the report');
  await page.context().close();

  // On a phone the dashboard stacks and never scrolls sideways.
  const phone = await signInToDashboard(PHONE);
  await phone.locator('#per-day .bar').first().waitFor();
  await assertNoSidewaysScroll(phone, 'the dashboard');
  await phone.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
  await phone.context().close();
});

test('a viewer sees the dashboard without its actions', async () => {
  const created = await fetch(`${APP}/api/v1/admins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ name: '최감사', role: 'viewer' }),
  });
  const { token } = await created.json();
  const page = await open('/dashboard');
  await page.locator('#token').fill(token);
  await page.locator('#token-form button').click();
  await page.locator('#admin-name', { hasText: '최감사' }).waitFor();
  await page.locator('#heat tr[data-resort]').first().waitFor();
  assert.equal(await page.locator('#points-form').isVisible(), false, 'no points action for a viewer');
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
  await page.locator('#menu button[data-press="m:book"]').click();
  const choice = page.locator('#log button[data-press^="fr:"]', { hasText: name });
  await choice.waitFor();
  assert.equal(await choice.textContent(), name);
  assert.equal(await page.locator('#log img, #log b').count(), 0);
  const dashboard = await signInToDashboard();
  await dashboard.locator('#heat tr th', { hasText: name }).waitFor();
  assert.equal(await dashboard.locator('#heat img, #points-chart img').count(), 0);
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
