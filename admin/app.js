// Admin page: lists banners and goods with their images and uploads an image for one of them.
// Flow: POST /uploads (the API checks the request and signs a PUT URL), PUT the file straight to
// object storage with the returned URL and headers, then poll GET /uploads/{id} until the server
// has checked the object (STORED, with its URL) or refused it (REJECTED, with the reason).
// No build step, no framework: plain DOM; data goes into the page through textContent only.
'use strict';

(function () {
  const SLOTS = { goods: ['front', 'gallery', 'desc'], banner: ['image'], brand: ['logo'] };
  const TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];
  const POLL_EVERY_MS = 500;
  const POLL_FOR_MS = 60000;
  const $ = (id) => document.getElementById(id);

  const state = {
    token: sessionStorage.getItem('shop.admin.token') || '',
    apiBase: localStorage.getItem('shop.admin.apiBase') || '',
  };

  function api(path) {
    return state.apiBase.replace(/\/+$/, '') + path;
  }

  function authHeaders() {
    return state.token ? { Authorization: 'Bearer ' + state.token } : {};
  }

  // problemText turns an RFC 9457 problem (or any failed response) into a sentence for people.
  async function problemText(response) {
    let text = response.status + ' ' + (response.statusText || '');
    try {
      const body = await response.json();
      // An invalid-input problem lists every wrong field; its detail only repeats the first one.
      if (Array.isArray(body.errors) && body.errors.length) {
        text = body.errors.map((e) => (e.field ? e.field + ': ' : '') + e.message).join('\n');
      } else {
        text = body.detail || body.title || text;
      }
    } catch (e) {
      // not JSON: keep the status line
    }
    return text;
  }

  function show(stateName, message, imageUrl) {
    const result = $('result');
    result.dataset.state = stateName;
    $('result-message').textContent = message;
    const img = $('result-image');
    if (imageUrl) {
      img.src = imageUrl;
      img.hidden = false;
    } else {
      img.removeAttribute('src');
      img.hidden = true;
    }
  }

  function fillSlots() {
    const slot = $('slot');
    slot.replaceChildren(...SLOTS[$('target').value].map((s) => new Option(s, s)));
  }

  function pick(target, id, slot) {
    $('target').value = target;
    fillSlots();
    $('target-id').value = id;
    if (slot) {
      $('slot').value = slot;
    }
    $('file').focus();
  }

  function imageCell(urls) {
    const td = document.createElement('td');
    const list = (Array.isArray(urls) ? urls : [urls]).filter((u) => typeof u === 'string' && u !== '');
    if (!list.length) {
      const none = document.createElement('span');
      none.className = 'empty';
      none.textContent = 'none';
      td.append(none);
    }
    for (const url of list) {
      const a = document.createElement('a');
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener';
      const img = document.createElement('img');
      img.src = url;
      img.alt = url;
      img.loading = 'lazy';
      a.append(img);
      td.append(a);
    }
    return td;
  }

  function textCell(text) {
    const td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    return td;
  }

  function pickCell(target, id, slot, label) {
    const td = document.createElement('td');
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.addEventListener('click', () => pick(target, id, slot));
    td.append(b);
    return td;
  }

  async function loadLists() {
    const error = $('lists-error');
    error.hidden = true;
    try {
      const [banners, goods] = await Promise.all([
        fetch(api('/banners'), { headers: authHeaders() }),
        fetch(api('/goods?pageSize=100'), { headers: authHeaders() }),
      ]);
      if (!banners.ok) throw new Error('GET /banners: ' + (await problemText(banners)));
      if (!goods.ok) throw new Error('GET /goods: ' + (await problemText(goods)));
      const bannerList = await banners.json();
      const goodsBody = await goods.json();
      const goodsList = Array.isArray(goodsBody) ? goodsBody : goodsBody.items || [];

      $('banners').tBodies[0].replaceChildren(...(Array.isArray(bannerList) ? bannerList : []).map((b) => {
        const tr = document.createElement('tr');
        tr.dataset.bannerId = b.id;
        tr.append(textCell(b.id), imageCell(b.image), textCell(b.url), pickCell('banner', b.id, 'image', 'Upload image'));
        return tr;
      }));
      $('goods').tBodies[0].replaceChildren(...goodsList.map((g) => {
        const tr = document.createElement('tr');
        tr.dataset.goodsId = g.id;
        tr.append(textCell(g.id), textCell(g.name), imageCell(g.frontImage), imageCell(g.images),
          imageCell(g.descImages), pickCell('goods', g.id, 'front', 'Upload image'));
        return tr;
      }));
    } catch (e) {
      error.textContent = 'Could not load the lists: ' + e.message;
      error.hidden = false;
    }
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  async function upload(event) {
    event.preventDefault();
    const file = $('file').files[0];
    const target = $('target').value;
    const targetId = Number($('target-id').value);
    const slot = $('slot').value;
    // Pre-checks for a quick answer only; the server checks all of this (and the bytes) itself.
    if (!state.token) return show('error', 'Paste an admin token first.');
    if (!Number.isInteger(targetId) || targetId < 1) return show('error', 'Pick a target id (a whole number from 1).');
    if (!file) return show('error', 'Choose an image file.');
    if (!TYPES.includes(file.type)) {
      return show('error', 'This file is not a PNG, JPEG, WebP or GIF image (' + (file.type || 'unknown type') + ').');
    }

    const button = $('upload-button');
    button.disabled = true;
    try {
      show('working', 'Asking for an upload URL…');
      const issued = await fetch(api('/uploads'), {
        method: 'POST',
        headers: { ...authHeaders(), 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID() },
        body: JSON.stringify({ target, targetId, slot, contentType: file.type, contentLength: file.size }),
      });
      if (issued.status !== 201) {
        return show('error', 'Upload refused: ' + (await problemText(issued)));
      }
      const ticket = await issued.json();

      show('working', 'Uploading ' + file.name + ' (' + file.size + ' bytes)…');
      let put;
      try {
        put = await fetch(ticket.url, { method: ticket.method || 'PUT', headers: ticket.headers || {}, body: file });
      } catch (e) {
        return show('error', 'The upload to storage failed: ' + e.message);
      }
      if (!put.ok) {
        return show('error', 'Storage refused the upload: ' + put.status + ' ' + (await put.text()).slice(0, 300));
      }

      show('working', 'Uploaded; waiting for the server to check it…');
      const deadline = Date.now() + POLL_FOR_MS;
      while (Date.now() < deadline) {
        const st = await fetch(api('/uploads/' + encodeURIComponent(ticket.uploadId)), { headers: authHeaders() });
        if (!st.ok) {
          return show('error', 'Could not read the upload status: ' + (await problemText(st)));
        }
        const s = await st.json();
        if (s.status === 'STORED') {
          show('stored', 'Stored on ' + target + ' ' + targetId + ' (' + slot + '): ' + s.imageUrl, s.imageUrl);
          await loadLists();
          return;
        }
        if (s.status === 'REJECTED') {
          return show('rejected', 'Rejected: ' + (s.reason || 'no reason given'));
        }
        await sleep(POLL_EVERY_MS);
      }
      show('error', 'The server has not checked the upload within ' + POLL_FOR_MS / 1000 + ' s; look again later.');
    } catch (e) {
      show('error', 'Something went wrong: ' + e.message);
    } finally {
      button.disabled = false;
    }
  }

  function saveSession() {
    state.token = $('token').value.trim().replace(/^Bearer\s+/i, '');
    state.apiBase = $('api-base').value.trim();
    sessionStorage.setItem('shop.admin.token', state.token);
    localStorage.setItem('shop.admin.apiBase', state.apiBase);
    $('session-state').textContent = state.token ? 'Token set.' : 'No token.';
    loadLists();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('token').value = state.token;
    $('api-base').value = state.apiBase;
    $('session-state').textContent = state.token ? 'Token set.' : 'No token.';
    fillSlots();
    $('target').addEventListener('change', fillSlots);
    $('save-session').addEventListener('click', saveSession);
    $('token').addEventListener('change', saveSession);
    $('refresh').addEventListener('click', loadLists);
    $('upload-form').addEventListener('submit', upload);
    loadLists();
  });
})();
