'use strict';
// The operations dashboard. An admin signs in with their own token (kept for this tab only);
// the figures arrive as server-sent events from /api/v1/overview/events, worked out on the
// server, and each change brings one more request: the page of bookings the filters ask for.
// A viewer sees everything and no action.

const $ = (id) => document.getElementById(id);
const ACTIVE = ['requested', 'points_deducted', 'awaiting_approval', 'confirmed'];
const STATUSES = ['requested', 'points_deducted', 'awaiting_approval', 'confirmed', 'rejected', 'cancelling', 'cancelled'];
const OUTCOMES = ['confirmed', 'pending', 'rejected', 'cancelled'];
const board = { admin: null, stream: null, employees: [], resorts: [], next: null, ledgerEntries: null, detailId: null };

class Unauthorized extends Error {}

async function admin(path, { method = 'GET', body } = {}) {
  const headers = { authorization: 'Bearer ' + sessionStorage.getItem('admin-token'), 'accept-language': I18n.lang };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch('/api/v1' + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) throw new Unauthorized();
  const json = await response.json().catch(() => ({}));
  return { status: response.status, json };
}

const t = (key) => I18n.t(key);
const statusWord = (status) => t('status-' + status.replaceAll('_', '-'));
const number = (value) => new Intl.NumberFormat(I18n.lang).format(value);

// 12월 18일 (금) / Fri, Dec 18: days as people read them.
function day(text) {
  const format = new Intl.DateTimeFormat(I18n.lang === 'en' ? 'en-GB' : 'ko-KR', { month: 'short', day: 'numeric', weekday: 'short', timeZone: 'UTC' });
  // Korean writes the weekday right after the day: 12월 18일(금).
  return format.format(new Date(text + 'T00:00:00Z')).replace(' (', '(');
}

function moment(text) {
  const at = new Date(text);
  return day(at.toISOString().slice(0, 10)) + ' ' + clockTime(at.getTime());
}

function row(tag, ...cells) {
  return el('tr', {}, ...cells.map((cell) => (cell instanceof Node ? cell : el(tag, {}, String(cell)))));
}

// ── Signing in ───────────────────────────────────────────────────────────────────────────

function askForToken(message) {
  board.stream?.abort();
  $('board').hidden = true;
  $('token-form').hidden = false;
  $('token-error').textContent = message || '';
}

async function connect() {
  try {
    const { json: me } = await admin('/admins/me');
    board.admin = me;
    $('admin-name').textContent = me.name;
    $('admin-role').textContent = t('dashboard-role-' + me.role);
    document.body.classList.toggle('viewer', me.role !== 'admin');
    $('token-form').hidden = true;
    $('board').hidden = false;
    await Promise.all([loadResorts(), loadEmployees()]);
    await loadBookings();
    listen();
  } catch (error) {
    if (error instanceof Unauthorized) return askForToken(t('dashboard-unauthorized'));
    throw error;
  }
}

// ── The figures, live ────────────────────────────────────────────────────────────────────

// EventSource cannot send the bearer header, so the stream is read with fetch.
async function listen() {
  board.stream?.abort();
  const controller = new AbortController();
  board.stream = controller;
  try {
    const response = await fetch('/api/v1/overview/events', {
      headers: { authorization: 'Bearer ' + sessionStorage.getItem('admin-token'), 'accept-language': I18n.lang },
      signal: controller.signal,
    });
    if (response.status === 401) return askForToken(t('dashboard-unauthorized'));
    $('live').textContent = t('console-connected');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const raw = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = raw.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
        if (raw.includes('event: overview') && data) await changed(JSON.parse(data));
      }
    }
  } catch (error) {
    if (controller.signal.aborted) return;
  }
  $('live').textContent = t('console-disconnected');
  setTimeout(() => { if (board.stream === controller) listen(); }, 2000);
}

async function changed(overview) {
  charts(overview);
  $('updated').textContent = clockTime();
  await loadBookings();
  // Balances are read again only when the ledger moved.
  if (overview.ledger_entries !== board.ledgerEntries) {
    board.ledgerEntries = overview.ledger_entries;
    await loadEmployees();
  }
  $('dead-section').hidden = overview.dead_letters === 0;
  if (overview.dead_letters > 0) await loadDeadLetters();
  if (board.detailId) await showDetail(board.detailId);
}

function charts(overview) {
  heatMap(overview.occupancy);
  perDay(overview.bookings_per_day);
  hbars($('points-chart'), overview.points_per_resort.map((resort) => ({
    label: resort.name, value: resort.points, text: number(resort.points) + ' P · ' + number(resort.bookings) + t('dashboard-unit-bookings'),
  })));
  hbars($('approval-chart'), overview.approval.map((resort) => ({
    label: resort.name,
    value: resort.median_minutes,
    text: `${t('dashboard-median')} ${number(Math.round(resort.median_minutes))}${t('dashboard-unit-minutes')} · ${t('dashboard-max')} ${number(Math.round(resort.max_minutes))}${t('dashboard-unit-minutes')} · ${number(resort.decided)}${t('dashboard-unit-bookings')}`,
  })));
}

// One row per resort and room type, one cell per night: how full, by shade and in numbers.
function heatMap(occupancy) {
  const nights = occupancy[0]?.nights.map((night) => night.night) ?? [];
  const head = el('tr', {}, el('th', {}, t('dashboard-col-resort')),
    ...nights.map((night) => el('th', { title: night, className: night.endsWith('-01') ? 'month-start' : '' },
      night.endsWith('-01') || night === nights[0] ? night.slice(5).replace('-', '/') : night.slice(8))));
  const rows = [];
  for (const resort of occupancy) {
    for (const type of resort.room_types) {
      rows.push(el('tr', { dataset: { resort: resort.name, roomType: type.name } },
        el('th', {}, resort.room_types.length > 1 ? `${resort.name} · ${type.name}` : resort.name),
        ...type.nights.map((night) => el('td', {
          className: 'heat-' + shade(night.held, type.rooms),
          title: `${day(night.night)}: ${night.held}/${type.rooms}`,
          dataset: { night: night.night, held: night.held },
        }, night.held ? String(night.held) : ''))));
    }
  }
  $('heat').replaceChildren(head, ...rows);
}

function shade(held, rooms) {
  if (held === 0) return 0;
  if (held >= rooms) return 4;
  return Math.min(3, 1 + Math.floor((held / rooms) * 3));
}

// Bookings per day as stacked bars, each outcome its own colour and its own word.
function perDay(days) {
  const most = Math.max(1, ...days.map((entry) => OUTCOMES.reduce((sum, outcome) => sum + entry[outcome], 0)));
  $('per-day').replaceChildren(...days.map((entry, index) => {
    const total = OUTCOMES.reduce((sum, outcome) => sum + entry[outcome], 0);
    const bar = el('div', { className: 'bar', title: `${day(entry.day)}: ` + OUTCOMES.map((outcome) => `${t('dashboard-outcome-' + outcome)} ${entry[outcome]}`).join(', '), dataset: { day: entry.day, total } });
    for (const outcome of OUTCOMES) {
      if (!entry[outcome]) continue;
      const part = el('span', { className: 'part ' + outcome });
      part.style.height = (entry[outcome] / most) * 100 + '%';
      bar.append(part);
    }
    // A date under the first bar and every seventh, so the labels never crowd.
    const labelled = index % 7 === 0 || index === days.length - 1;
    return el('div', { className: 'column' }, bar, el('small', {}, labelled ? day(entry.day) : ''));
  }));
  $('per-day-legend').replaceChildren(...OUTCOMES.map((outcome) => el('span', { className: 'key ' + outcome }, t('dashboard-outcome-' + outcome))));
}

function hbars(container, items) {
  if (!items.length) return container.replaceChildren(el('p', { className: 'state' }, t('dashboard-no-data')));
  const most = Math.max(1, ...items.map((item) => item.value));
  container.replaceChildren(...items.map((item) => {
    const fill = el('span', { className: 'fill' });
    fill.style.width = Math.max(2, (item.value / most) * 100) + '%';
    return el('div', { className: 'hbar', dataset: { label: item.label } },
      el('span', { className: 'label' }, item.label), el('span', { className: 'track' }, fill), el('span', { className: 'value' }, item.text));
  }));
}

// ── Bookings, filtered ───────────────────────────────────────────────────────────────────

async function loadResorts() {
  board.resorts = (await admin('/resorts?limit=200')).json.items || [];
  const select = document.querySelector('#filters [name="resort_id"]');
  select.replaceChildren(el('option', { value: '' }, t('dashboard-filter-any')),
    ...board.resorts.map((resort) => el('option', { value: resort.id }, resort.name)));
  const status = document.querySelector('#filters [name="status"]');
  status.replaceChildren(el('option', { value: '' }, t('dashboard-filter-any')),
    ...STATUSES.map((value) => el('option', { value }, statusWord(value))));
}

async function loadEmployees() {
  board.employees = (await admin('/employees?limit=200')).json.items || [];
  const options = () => board.employees.map((person) => el('option', { value: person.id }, `${person.name} (${person.employee_no})`));
  const filter = document.querySelector('#filters [name="employee_id"]');
  const chosen = filter.value;
  filter.replaceChildren(el('option', { value: '' }, t('dashboard-filter-any')), ...options());
  filter.value = chosen;
  const points = document.querySelector('#points-form [name="employee_id"]');
  const pointsChosen = points.value;
  points.replaceChildren(...options());
  if (pointsChosen) points.value = pointsChosen;
  $('balances').replaceChildren(
    row('th', t('dashboard-col-number'), t('dashboard-col-name'), t('dashboard-col-points')),
    ...board.employees.map((person) => el('tr', { dataset: { employee: person.id } },
      ...[person.employee_no, person.name, number(person.points)].map((cell) => el('td', {}, cell)))));
}

function filterQuery() {
  const form = new FormData($('filters'));
  const query = new URLSearchParams();
  for (const [name, value] of form) if (String(value).trim()) query.set(name, String(value).trim());
  query.set('limit', '20');
  return query;
}

async function loadBookings(cursor) {
  const query = filterQuery();
  if (cursor) query.set('cursor', cursor);
  const { status, json } = await admin('/bookings?' + query);
  if (status !== 200) {
    $('bookings').replaceChildren(el('caption', { className: 'error' }, json.message || t('console-error')));
    return;
  }
  const names = Object.fromEntries(board.employees.map((person) => [person.id, person.name]));
  const rows = json.items.map((booking) => el('tr', {
    dataset: { reference: booking.reference, status: booking.status, id: booking.id }, className: 'pick', tabIndex: 0,
  }, ...[booking.reference, names[booking.employee_id] || '', booking.resort_name, day(booking.check_in),
    String(booking.nights), number(booking.points), statusWord(booking.status)].map((cell) => el('td', {}, cell))));
  if (cursor) $('bookings').append(...rows);
  else {
    $('bookings').replaceChildren(row('th', ...['reference', 'employee', 'resort', 'check-in', 'nights', 'points', 'status']
      .map((column) => t('dashboard-col-' + column))), ...rows);
    if (!rows.length) $('bookings').append(el('caption', {}, t('dashboard-none')));
  }
  board.next = json.next_cursor;
  $('more').hidden = !board.next;
}

// ── One booking: its timeline in words, and what an admin can do ─────────────────────────

async function showDetail(id) {
  board.detailId = id;
  const { status, json: booking } = await admin('/bookings/' + id);
  if (status !== 200) return;
  const person = board.employees.find((employee) => employee.id === booking.employee_id);
  const facts = [
    [t('dashboard-col-reference'), booking.reference],
    [t('dashboard-col-employee'), person ? person.name : booking.employee_id],
    [t('dashboard-col-resort'), `${booking.resort_name} · ${booking.room_type_name}`],
    [t('dashboard-col-check-in'), `${day(booking.check_in)} · ${booking.nights}${t('dashboard-unit-nights')}`],
    [t('dashboard-col-points'), number(booking.points) + (booking.refund_points != null ? ` (${t('dashboard-refunded')} ${number(booking.refund_points)})` : '')],
    [t('dashboard-col-status'), statusWord(booking.status)],
  ];
  if (booking.decided_by) facts.push([t('dashboard-decided-by'), booking.decided_by + (booking.decision_note ? ` — ${booking.decision_note}` : '')]);
  $('detail-body').replaceChildren(
    el('dl', {}, ...facts.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)])),
    el('h3', {}, t('dashboard-timeline')),
    el('ol', { className: 'timeline' }, ...booking.steps.map((step) => el('li', { dataset: { step: step.step } },
      el('time', { dateTime: step.at }, moment(step.at)), ' ', stepWord(step.step)))));
  $('detail').hidden = false;
  $('detail').dataset.id = id;
  $('detail').dataset.status = booking.status;
  $('cancel-form').hidden = !ACTIVE.includes(booking.status);
  $('decide-form').hidden = booking.status !== 'awaiting_approval';
}

function stepWord(step) {
  const key = 'step-' + step.replace(/[._]/g, '-');
  const word = t(key);
  return word === key ? step : word;
}

async function act(path, body, result) {
  const { status, json } = await admin(path, { method: 'POST', body });
  result.textContent = status >= 200 && status < 300 ? t('dashboard-done') : (json.message || t('console-error'));
  result.className = status >= 200 && status < 300 ? 'ok' : 'error';
  return status;
}

// Reports download with the token (a plain link could not carry it), as the file the API names.
async function download(report) {
  const token = sessionStorage.getItem('admin-token');
  const response = await fetch('/api/v1/reports/' + report + '.csv', {
    headers: { authorization: 'Bearer ' + token, 'accept-language': I18n.lang },
  });
  if (!response.ok) return;
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') || '')?.[1] || report + '.csv';
  const link = el('a', { href: URL.createObjectURL(await response.blob()), download: name });
  document.body.append(link);
  link.click();
  link.remove();
}

// ── Wiring ───────────────────────────────────────────────────────────────────────────────

document.querySelectorAll('[data-report]').forEach((button) => {
  button.addEventListener('click', () => download(button.dataset.report));
});
$('filters').addEventListener('submit', (event) => { event.preventDefault(); loadBookings(); });
$('filters').addEventListener('reset', () => setTimeout(() => loadBookings(), 0));
$('more').addEventListener('click', () => loadBookings(board.next));
$('bookings').addEventListener('click', (event) => {
  const picked = event.target.closest('tr[data-id]');
  if (picked) showDetail(picked.dataset.id).then(() => $('detail').scrollIntoView({ block: 'start' }));
});
$('cancel-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { reason: form.get('reason'), full_refund: form.get('full_refund') === 'on' };
  await act(`/bookings/${$('detail').dataset.id}/cancel`, body, $('action-result'));
  await showDetail($('detail').dataset.id);
});
$('decide-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const body = { decision: event.submitter.value, reason: new FormData(event.target).get('reason') };
  await act(`/bookings/${$('detail').dataset.id}/decision`, body, $('action-result'));
  await showDetail($('detail').dataset.id);
});
$('points-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { amount: Number(form.get('amount')), reason: form.get('reason') };
  if (await act(`/employees/${form.get('employee_id')}/points`, body, $('points-result')) === 202) event.target.reset();
});
$('dead-letters').addEventListener('click', async (event) => {
  const button = event.target.closest('button[data-replay]');
  if (!button) return;
  const reason = button.closest('tr').querySelector('input').value;
  await act(`/dead-letters/${button.dataset.replay}/replay`, { reason }, button.closest('tr').querySelector('output'));
});

async function loadDeadLetters() {
  const { json } = await admin('/dead-letters?limit=50');
  $('dead-letters').replaceChildren(
    row('th', t('dashboard-col-type'), t('dashboard-col-error'), t('dashboard-col-at'), ''),
    ...(json.items || []).filter((letter) => !letter.replayed_at).map((letter) => el('tr', {},
      el('td', {}, letter.message_type), el('td', {}, letter.error), el('td', {}, moment(letter.created_at)),
      el('td', { className: 'writer' }, el('input', { placeholder: t('dashboard-reason'), maxLength: 500 }),
        el('button', { type: 'button', dataset: { replay: letter.id } }, t('dashboard-replay')), el('output')))));
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('admin-token', $('token').value.trim());
  connect();
});
$('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem('admin-token');
  askForToken();
});

I18n.start(() => { if (sessionStorage.getItem('admin-token')) connect(); })
  .then(() => (sessionStorage.getItem('admin-token') ? connect() : askForToken()));
