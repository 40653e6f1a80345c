'use strict';
// Shared by the console and the dashboard: the page's words (from the server's fluent files)
// and a way to build elements that only ever sets text, so nothing shown can become markup.

const I18n = {
  lang: sessionStorage.getItem('lang') || ((navigator.language || 'ko').toLowerCase().startsWith('en') ? 'en' : 'ko'),
  words: {},

  async load(lang) {
    const response = await fetch('/console/strings?lang=' + encodeURIComponent(lang));
    this.words = await response.json();
    this.lang = lang;
    sessionStorage.setItem('lang', lang);
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-t]').forEach((node) => { node.textContent = this.t(node.dataset.t); });
    document.querySelectorAll('[data-t-placeholder]').forEach((node) => { node.placeholder = this.t(node.dataset.tPlaceholder); });
    document.querySelectorAll('[data-t-aria-label]').forEach((node) => { node.setAttribute('aria-label', this.t(node.dataset.tAriaLabel)); });
    document.title = this.t(document.querySelector('h1').dataset.t);
  },

  t(key) {
    return this.words[key] || key;
  },

  // Wires the language switch: the browser's language first, the switch after.
  async start(onChange) {
    const select = document.getElementById('lang');
    await this.load(this.lang);
    select.value = this.lang;
    select.addEventListener('change', async () => {
      await this.load(select.value);
      onChange();
    });
  },
};

// HH:MM in the browser's time zone, as a chat shows when a message came.
function clockTime(millis = Date.now()) {
  const at = new Date(millis);
  return [at.getHours(), at.getMinutes()].map((part) => String(part).padStart(2, '0')).join(':');
}

// el('button', { className: 'x', dataset: { press: 'm:my' } }, 'label', child, ...)
function el(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name === 'dataset') Object.assign(node.dataset, value);
    else node[name] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}
