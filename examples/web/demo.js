// The demo page's UI: sign in, create a session, show its QR code, and show its
// status live through session-status.js (the part a frontend copies). Everything
// here talks to the server that served the page, under its --base-path.
import { isTerminal, watchSessionStatus } from './session-status.js';

const base = document.querySelector('meta[name="eudiplo-base-path"]').content;
const $ = (id) => document.getElementById(id);

let credentials = null; // {id, secret} of the signed-in client
let cached = null; // {token, expiresAt}
let sessionId = null;
let watch = null;

const showError = (message) => {
  $('error').textContent = message;
};

const time = (date) => date.toISOString().slice(11, 23);

// POST /oauth2/token with client credentials in a form body (RFC 6749 4.4).
async function fetchToken() {
  const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: credentials.id, client_secret: credentials.secret });
  const r = await fetch(`${base}/oauth2/token`, { method: 'POST', body });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(json.message || `sign-in failed: HTTP ${r.status}`);
  cached = { token: json.access_token, expiresAt: Date.now() + json.expires_in * 1000 };
  return cached;
}

// What session-status.js calls whenever it needs a token: a cached one while it has
// more than a second to live, a fresh one otherwise.
async function getAccessToken() {
  if (!cached || Date.now() >= cached.expiresAt - 1000) await fetchToken();
  return cached.token;
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${await getAccessToken()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!r.ok) {
    const json = await r.json().catch(() => ({}));
    throw new Error(json.message ? `${json.message} (HTTP ${r.status})` : `HTTP ${r.status}`);
  }
  return r;
}

async function signIn(event) {
  event.preventDefault();
  showError('');
  credentials = { id: $('client-id').value, secret: $('client-secret').value };
  cached = null;
  try {
    const t = await fetchToken();
    $('signin-result').textContent = `Signed in as ${credentials.id}; tokens live ${Math.round((t.expiresAt - Date.now()) / 1000)} s and are renewed as needed.`;
    $('create-button').disabled = false;
  } catch (e) {
    $('signin-result').textContent = '';
    showError(e.message);
  }
}

// The QR code comes from the server as SVG (libqrencode). It is parsed and adopted
// into the page rather than loaded by <img>, because its route needs the Bearer token.
async function showQr(id) {
  const svgText = await (await api('GET', `/session/${encodeURIComponent(id)}/qr.svg`)).text();
  const svg = new DOMParser().parseFromString(svgText, 'image/svg+xml').documentElement;
  $('qr').replaceChildren(document.importNode(svg, true));
  $('wallet-url').textContent = svg.querySelector('title')?.textContent ?? '';
}

function onStatus({ status, version, updatedAt }) {
  const li = document.createElement('li');
  li.dataset.status = status;
  li.dataset.version = String(version);
  li.textContent = `${time(new Date())}  ${status}  (version ${version}, updatedAt ${updatedAt})`;
  $('statuses').append(li);
  $('current-status').textContent = status;
  $('current-status').dataset.status = status;
  // A terminal session refuses every change (409): the wallet is done.
  if (isTerminal(status)) for (const b of ['fetched', 'completed', 'failed']) $(`wallet-${b}`).disabled = true;
}

function onState(state, detail) {
  $('connection').textContent = state;
  $('connection').dataset.state = state;
  $('connection-detail').textContent = detail ?? '';
  $('transport').textContent = watch?.transport() ?? (globalThis.EventSource ? 'eventsource' : 'polling');
}

async function createSession(event) {
  event.preventDefault();
  showError('');
  watch?.close();
  watch = null;
  try {
    const ttlSeconds = Number($('ttl').value);
    const session = await (await api('POST', '/session', { ttlSeconds })).json();
    sessionId = session.id;
    $('session-id').textContent = sessionId;
    $('statuses').replaceChildren();
    $('current-status').textContent = '-';
    $('current-status').dataset.status = '';
    for (const b of ['fetched', 'completed', 'failed']) $(`wallet-${b}`).disabled = false;
    watch = watchSessionStatus({
      baseUrl: base,
      sessionId,
      getAccessToken,
      onStatus,
      onState,
      onStreamToken: (kind) => {
        $('token-kind').textContent = kind === 'session' ? 'session-scoped (sid)' : 'access token';
      },
    });
    await showQr(sessionId);
  } catch (e) {
    showError(e.message);
  }
}

async function playWallet(status) {
  showError('');
  try {
    await api('PATCH', `/session/${encodeURIComponent(sessionId)}`, { status });
  } catch (e) {
    showError(e.message);
  }
}

$('signin').addEventListener('submit', signIn);
$('create').addEventListener('submit', createSession);
for (const status of ['fetched', 'completed', 'failed']) {
  $(`wallet-${status}`).addEventListener('click', () => playWallet(status));
}
