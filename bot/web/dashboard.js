'use strict';
// The operations dashboard: the admin API, read every two seconds. The admin token is asked
// once and kept for this tab only.

const REFRESH_MS = 2000;
const OCCUPANCY_DAYS = 21;
const BOOKINGS_SHOWN = 15;
const $ = (id) => document.getElementById(id);
let timer = null;

async function admin(path) {
  const token = sessionStorage.getItem('admin-token');
  const response = await fetch('/api/v1' + path, {
    headers: { authorization: 'Bearer ' + token, 'accept-language': I18n.lang },
  });
  if (response.status === 401) throw new Error('unauthorized');
  return response.json();
}

function row(tag, ...cells) {
  return el('tr', {}, ...cells.map((cell) => (cell instanceof Node ? cell : el(tag, {}, String(cell)))));
}

// HH:MM:SS in the browser's time zone.
function time(millis) {
  const at = new Date(millis);
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

async function refresh() {
  let data;
  try {
    const [occupancy, bookings, employees, deadLetters] = await Promise.all([
      admin('/occupancy?days=' + OCCUPANCY_DAYS), admin('/bookings'), admin('/employees'), admin('/dead-letters'),
    ]);
    const latest = bookings.slice(0, BOOKINGS_SHOWN);
    const [details, people] = await Promise.all([
      Promise.all(latest.map((booking) => admin('/bookings/' + booking.id))),
      Promise.all(employees.map((employee) => admin('/employees/' + employee.id))),
    ]);
    data = { occupancy, details, people, deadLetters };
  } catch (error) {
    if (error.message === 'unauthorized') return askForToken(I18n.t('dashboard-unauthorized'));
    return;
  }
  render(data);
  $('updated').textContent = time(Date.now());
}

function render({ occupancy, details, people, deadLetters }) {
  const nights = occupancy.length ? occupancy[0].nights.map((night) => night.night.slice(5)) : [];
  $('occupancy').replaceChildren(
    row('th', I18n.t('dashboard-col-resort'), I18n.t('dashboard-col-rooms'), ...nights),
    ...occupancy.map((resort) => el('tr', { dataset: { resort: resort.name } },
      el('th', {}, resort.name), el('td', {}, String(resort.rooms)),
      ...resort.nights.map((night) => el('td', {
        className: night.held === 0 ? 'free' : night.held >= resort.rooms ? 'full' : 'some',
        title: night.night,
        dataset: { night: night.night },
      }, String(night.held))))));

  const names = Object.fromEntries(people.map((person) => [person.id, person.name]));
  $('bookings').replaceChildren(
    row('th', ...['reference', 'employee', 'resort', 'check-in', 'nights', 'points', 'status', 'steps']
      .map((column) => I18n.t('dashboard-col-' + column))),
    ...details.map((booking) => el('tr', { dataset: { reference: booking.reference, status: booking.status } },
      ...[booking.reference, names[booking.employee_id] || '', booking.resort_name, booking.check_in,
        booking.nights, booking.points, I18n.t('status-' + booking.status.replaceAll('_', '-'))]
        .map((cell) => el('td', {}, String(cell))),
      el('td', { className: 'steps' }, booking.steps.map((step) => step.step + ' ' + time(step.at)).join(' → ')))));

  $('balances').replaceChildren(
    row('th', I18n.t('dashboard-col-number'), I18n.t('dashboard-col-name'), I18n.t('dashboard-col-points')),
    ...people.map((person) => row('td', person.employee_no, person.name, person.points)));

  $('dead-section').hidden = deadLetters.length === 0;
  $('dead-letters').replaceChildren(
    row('th', I18n.t('dashboard-col-type'), I18n.t('dashboard-col-error')),
    ...deadLetters.map((letter) => row('td', letter.message_type, letter.error)));
}

function askForToken(message) {
  clearInterval(timer);
  $('board').hidden = true;
  $('token-form').hidden = false;
  $('token-error').textContent = message || '';
}

function connect() {
  $('token-form').hidden = true;
  $('board').hidden = false;
  refresh();
  clearInterval(timer);
  timer = setInterval(refresh, REFRESH_MS);
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

document.querySelectorAll('[data-report]').forEach((button) => {
  button.addEventListener('click', () => download(button.dataset.report));
});

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('admin-token', $('token').value.trim());
  connect();
});

I18n.start(refresh).then(() => (sessionStorage.getItem('admin-token') ? connect() : askForToken()));
