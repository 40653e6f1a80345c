'use strict';
// The chat console: one browser tab talks as one person through the conversation layer.
// The session token lives in this tab's sessionStorage only, so each tab is its own session.

const tab = {
  token: sessionStorage.getItem('console-token'),
  name: sessionStorage.getItem('console-name'),
  alerts: null,
};
const $ = (id) => document.getElementById(id);

async function api(path, body, token) {
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const response = await fetch(path, { method: 'POST', headers, body: JSON.stringify({ ...body, lang: I18n.lang }) });
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json };
}

// ── Who is talking ────────────────────────────────────────────────────────────────────────

async function showLogin() {
  $('chat').hidden = true;
  $('login').hidden = false;
  const people = await (await fetch('/console/people')).json();
  const list = $('people');
  list.replaceChildren(...people.map((person) => el('button', {
    type: 'button',
    className: 'person',
    dataset: { employeeNo: person.employee_no },
    onclick: () => openSession({ as: person.employee_no }),
  }, person.name, person.manager ? el('small', {}, ' · ' + I18n.t('console-manager')) : null)));
}

async function openSession(request) {
  const { status, json } = await api('/console/sessions', request);
  if (status !== 201) {
    $('login-error').textContent = json.message || I18n.t('console-error');
    return;
  }
  tab.token = json.token;
  tab.name = json.name;
  sessionStorage.setItem('console-token', tab.token);
  sessionStorage.setItem('console-name', tab.name);
  showChat();
  send({ text: I18n.lang === 'en' ? 'help' : '도움말' });
}

function showChat() {
  $('login').hidden = true;
  $('chat').hidden = false;
  $('me').textContent = tab.name;
  listen();
}

function signOut() {
  if (tab.alerts) tab.alerts.close();
  sessionStorage.removeItem('console-token');
  sessionStorage.removeItem('console-name');
  tab.token = null;
  $('log').replaceChildren();
  $('quick').replaceChildren();
  $('menu').replaceChildren();
  showLogin();
}

function listen() {
  if (tab.alerts) tab.alerts.close();
  const state = $('alerts-state');
  tab.alerts = new EventSource('/console/events?token=' + encodeURIComponent(tab.token));
  tab.alerts.addEventListener('ready', () => {
    state.textContent = I18n.t('console-connected');
    state.dataset.state = 'connected';
  });
  tab.alerts.addEventListener('alert', (event) => show(JSON.parse(event.data), { alert: true }));
  tab.alerts.onerror = () => {
    state.textContent = I18n.t('console-disconnected');
    state.dataset.state = 'disconnected';
  };
}

// ── Turns ─────────────────────────────────────────────────────────────────────────────────

async function send(input, pressedEntry) {
  if (input.text !== undefined) append(el('li', { className: 'me' }, el('p', {}, input.text), stamp()));
  const { status, json } = await api('/console/turn', input, tab.token);
  if (status === 401) return signOut();
  if (status !== 200) return notice(json.message || I18n.t('console-error'));
  if (json.menu) menu(json.menu);
  if (input.press !== undefined && json.kind === 'refusal') return notice(plainText(json), pressedEntry);
  if (input.press !== undefined && json.kind === 'update' && pressedEntry) {
    pressedEntry.replaceWith(entry(json, {}));
    quickReplies(json);
    return;
  }
  show(json, {});
}

function plainText(reply) {
  return reply.messages.map((message) => message.text).join('\n\n');
}

function notice(text, after) {
  const item = el('li', { className: 'notice', role: 'status' }, el('p', {}, text), stamp());
  if (after) after.after(item); else append(item);
  latest();
}

// When a line came, as chats show it.
function stamp() {
  return el('time', { dateTime: new Date().toISOString() }, clockTime());
}

function append(item) {
  $('log').append(item);
  latest();
}

// The newest line and its buttons in view: the log scrolls, the composer stays docked.
function latest() {
  const log = $('log');
  log.scrollTop = log.scrollHeight;
}

function show(reply, { alert }) {
  if (!reply.messages.length) return;
  append(entry(reply, { alert }));
  // An alert has no menu of its own; the one on screen stays.
  if (!alert || (reply.quick_replies || []).length) quickReplies(reply);
}

// The main commands, always one tap away.
function menu(buttons) {
  $('menu').replaceChildren(...buttons.map(pressButton));
}

// One reply as a log entry: its messages with their choices, buttons and calendar.
function entry(reply, { alert }) {
  const item = el('li', { className: alert ? 'bot alert' : 'bot' });
  if (alert) item.append(el('span', { className: 'badge' }, I18n.t('console-alert')));
  for (const message of reply.messages) {
    const bubble = el('div', { className: 'bubble' }, el('p', {}, message.text));
    if (message.calendar) bubble.append(calendar(message.calendar));
    const presses = [...(message.choices || []), ...(message.buttons || [])];
    if (presses.length) bubble.append(el('div', { className: 'buttons' }, ...presses.map(pressButton)));
    item.append(bubble);
  }
  item.append(stamp());
  return item;
}

// A reply's own quick replies; those the docked menu already offers are not shown twice.
function quickReplies(reply) {
  const docked = new Set([...$('menu').querySelectorAll('button')].map((button) => button.dataset.press));
  $('quick').replaceChildren(...(reply.quick_replies || []).filter((button) => !docked.has(button.press)).map(pressButton));
}

function pressButton(button) {
  return el('button', { type: 'button', dataset: { press: button.press } }, button.label);
}

function calendar(month) {
  const table = el('table', { className: 'calendar' });
  const heading = el('tr', {}, el('th', { colSpan: 7 }, el('div', { className: 'month' },
    month.previous ? pressButton(month.previous) : el('span'),
    el('strong', {}, month.title),
    month.next ? pressButton(month.next) : el('span'))));
  table.append(el('caption', {}, month.legend), heading, el('tr', {}, ...month.weekdays.map((day) => el('th', {}, day))));
  const first = new Date(month.days[0].date + 'T00:00:00Z').getUTCDay();
  const cells = Array.from({ length: (first + 6) % 7 }, () => el('td'));
  for (const day of month.days) {
    cells.push(el('td', {}, day.press === 'fx' ? '' : el('button', {
      type: 'button',
      // open, full, blackout, not_open_yet or lottery: each reads differently, in words too
      // (the label carries the mark), not by colour alone.
      className: day.nights > 0 ? 'open' : (day.mark?.kind ?? 'full').replace(/_/g, '-'),
      dataset: { press: day.press },
      title: day.date,
    }, ...dayLabel(day))));
  }
  for (let week = 0; week < cells.length; week += 7) table.append(el('tr', {}, ...cells.slice(week, week + 7)));
  return table;
}

// An open day's label already names the day (18·3); a day that cannot be chosen shows its
// number above its mark (휴무, 추첨, ✕), so the grid reads without counting cells.
function dayLabel(day) {
  if (day.nights > 0) return [day.label];
  return [String(Number(day.date.slice(8))), el('small', {}, day.label)];
}

// ── Wiring ────────────────────────────────────────────────────────────────────────────────

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-press]');
  if (!button || !tab.token) return;
  send({ press: button.dataset.press }, button.closest('li'));
});
$('say').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  $('text').value = '';
  send({ text });
});
$('code-form').addEventListener('submit', (event) => {
  event.preventDefault();
  openSession({ code: $('code').value.trim() });
});
$('switch').addEventListener('click', signOut);

I18n.start(() => { if (!tab.token) showLogin(); }).then(() => (tab.token ? showChat() : showLogin()));
