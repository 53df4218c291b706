// Real-browser test of the admin page (admin/index.html) against a running `./dev start`.
//
//   BASE_URL=http://127.0.0.1:3000 TOKEN=$(./dev token --role admin) node --test local/browser/upload.spec.mjs
//
// Headless Chromium from Debian (/usr/bin/chromium; `apt-get install -y chromium`) driven by
// playwright-core, which downloads no browser of its own. The test opens BASE_URL/admin/, pastes the
// token, uploads a real small PNG to a banner and checks the page shows it and GET /banners returns
// its URL; it opens that URL (the local stand-in of the CloudFront distribution, as deployed) and
// checks its headers (nosniff, a CSP, image/png), and that an uploads/ path is refused even while
// the upload exists; then it tries a file over the size limit and a text file renamed .png, and
// checks both are refused with a visible message and that the banner's image did not change.
// Env: BASE_URL (default http://127.0.0.1:3000), TOKEN (default: `./dev token --role admin`),
// BANNER_ID (default: the first banner, or one it creates), UPLOAD_MAX_BYTES (default 5 MiB),
// CHROMIUM (default /usr/bin/chromium). Screenshots go to local/browser/out/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'out');
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const MAX_BYTES = Number(process.env.UPLOAD_MAX_BYTES || 5 * 1024 * 1024);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TOKEN = process.env.TOKEN || execFileSync(join(root, 'dev'), ['token', '--role', 'admin'], { cwd: root })
  .toString().trim();

// ---------------------------------------------------------------- a real PNG, made here

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** png makes a width x height RGB PNG with a colour gradient. */
function png(width, height) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const i = y * (width * 3 + 1) + 1 + x * 3;
      raw[i] = (x * 255) / width;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = 160;
    }
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// ---------------------------------------------------------------- API helpers

async function apiJson(path, init = {}) {
  const r = await fetch(BASE_URL + path, {
    ...init,
    headers: { Authorization: 'Bearer ' + TOKEN, ...(init.headers || {}) },
  });
  const text = await r.text();
  assert.ok(r.ok, `${init.method || 'GET'} ${path} answered ${r.status}: ${text}`);
  return JSON.parse(text);
}

async function bannerImage(id) {
  const banners = await apiJson('/banners');
  const banner = banners.find((b) => String(b.id) === String(id));
  assert.ok(banner, `GET /banners has no banner ${id}`);
  return banner.image;
}

async function someBannerId() {
  if (process.env.BANNER_ID) return Number(process.env.BANNER_ID);
  const banners = await apiJson('/banners');
  if (banners.length) return banners[0].id;
  const created = await apiJson('/banners', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'browser-test-banner-' + Date.now() },
    body: JSON.stringify({ index: 0, url: 'https://shop.example/browser-test' }),
  });
  return created.id;
}

// ---------------------------------------------------------------- the browser

let browser;
let page;
let bannerId;
let imageUrl;
const consoleErrors = [];

before(async () => {
  mkdirSync(out, { recursive: true });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  // Failed requests, for the log: the expected ones are the 400 of the too-big upload.
  page.on('response', (r) => r.status() >= 400 && console.log('HTTP', r.status(), r.request().method(), r.url()));
  bannerId = await someBannerId();
});

after(async () => {
  await browser?.close();
});

async function uploadThroughThePage(file, target = 'banner', targetId = bannerId, slot = 'image') {
  await page.selectOption('#target', target);
  await page.fill('#target-id', String(targetId));
  await page.selectOption('#slot', slot);
  await page.setInputFiles('#file', file);
  await page.click('#upload-button');
  // Wait for a final state: stored, rejected or error (the page polls the server itself).
  await page.waitForSelector('#result[data-state="stored"], #result[data-state="rejected"], #result[data-state="error"]',
    { timeout: 60000 });
  return {
    state: await page.getAttribute('#result', 'data-state'),
    message: await page.textContent('#result-message'),
  };
}

test('admin page uploads a PNG to a banner, shows it, and GET /banners returns its URL', async () => {
  await page.goto(BASE_URL + '/admin/');
  await page.fill('#token', TOKEN);
  await page.click('#save-session');
  await page.waitForSelector(`#banners tr[data-banner-id="${bannerId}"]`, { timeout: 15000 });

  const result = await uploadThroughThePage({ name: 'banner.png', mimeType: 'image/png', buffer: png(48, 24) });

  assert.equal(result.state, 'stored', result.message);
  assert.ok(await page.isVisible('#result-message'));
  const src = await page.getAttribute('#result-image', 'src');
  assert.match(src, new RegExp(`/images/banner/${bannerId}/[0-9a-f-]{36}\\.png$`));
  assert.ok(!src.startsWith(BASE_URL + '/'), `images come from their own base URL, not the API's: ${src}`);
  await page.waitForFunction(() => {
    const img = document.getElementById('result-image');
    return !img.hidden && img.complete && img.naturalWidth === 48 && img.naturalHeight === 24;
  }, null, { timeout: 10000 });
  assert.equal(await bannerImage(bannerId), src);
  imageUrl = src;
  await page.waitForSelector(`#banners tr[data-banner-id="${bannerId}"] img[src="${src}"]`, { timeout: 10000 });
  await page.screenshot({ path: join(out, 'stored.png'), fullPage: true });
});

test('the image loads from the URL the API returns, as an image only: nosniff, a CSP, its own type', async () => {
  assert.ok(imageUrl, 'the first test stores an image');
  const viewer = await browser.newPage();
  try {
    const response = await viewer.goto(imageUrl);
    assert.equal(response.status(), 200);
    const headers = response.headers();
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.equal(headers['content-type'], 'image/png');
    assert.match(headers['content-security-policy'] || '', /default-src 'none'/);
    assert.match(headers['content-security-policy'] || '', /sandbox/);
    assert.match(headers['cache-control'] || '', /immutable/);
    // Opened on its own, the browser still shows it as the 48 x 24 image it is.
    const size = await viewer.evaluate(() => {
      const img = document.images[0];
      return img && img.complete ? [img.naturalWidth, img.naturalHeight] : null;
    });
    assert.deepEqual(size, [48, 24]);
  } finally {
    await viewer.close();
  }
});

test('an uploads/ path is refused by the image host, even while the upload is still in the bucket', async () => {
  const imageBase = imageUrl.slice(0, imageUrl.indexOf('/images/'));
  const viewer = await browser.newPage();
  try {
    // The upload-complete function moves an upload to images/ within about a second, so the refusal
    // only counts when the upload was still there after it (checked on the local S3, which answers
    // unsigned GETs); otherwise try again with a new upload.
    for (let attempt = 1; ; attempt++) {
      const file = png(8, 8);
      const issued = await apiJson('/uploads', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'browser-uploads-refused-' + Date.now() },
        body: JSON.stringify({ target: 'banner', targetId: bannerId, slot: 'image', contentType: 'image/png',
          contentLength: file.length }),
      });
      const put = await fetch(issued.url, { method: 'PUT', headers: issued.headers, body: file });
      assert.ok(put.ok, `PUT to the presigned URL answered ${put.status}`);

      const response = await viewer.goto(`${imageBase}/${issued.key}`);
      const stillThere = await fetch(issued.url.split('?')[0]);

      assert.equal(response.status(), 403, `${imageBase}/${issued.key} must not be served`);
      assert.equal(response.headers()['x-content-type-options'], 'nosniff');
      // Let the upload be decided before the next test reads the banner's image.
      const deadline = Date.now() + 30000;
      while ((await apiJson(`/uploads/${issued.uploadId}`)).status === 'PENDING') {
        assert.ok(Date.now() < deadline, `upload ${issued.uploadId} stayed PENDING`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (stillThere.status === 200) {
        console.log(`uploads/ refused while the upload existed (attempt ${attempt})`);
        break;
      }
      assert.ok(attempt < 5, 'the upload was always gone before its refusal could be checked');
    }
  } finally {
    await viewer.close();
  }
});

test('admin page uploads a PNG to a goods gallery, shows it, and GET /goods/{id} lists it in images', async () => {
  const goods = await apiJson('/goods?pageSize=1');
  assert.ok(goods.items.length, 'no goods to upload to (start with --sample-data)');
  const goodsId = goods.items[0].id;
  const galleryBefore = goods.items[0].images;

  const result = await uploadThroughThePage({ name: 'gallery.png', mimeType: 'image/png', buffer: png(30, 40) },
    'goods', goodsId, 'gallery');

  assert.equal(result.state, 'stored', result.message);
  const src = await page.getAttribute('#result-image', 'src');
  assert.match(src, new RegExp(`/images/goods/${goodsId}/[0-9a-f-]{36}\\.png$`));
  await page.waitForFunction(() => {
    const img = document.getElementById('result-image');
    return !img.hidden && img.complete && img.naturalWidth === 30 && img.naturalHeight === 40;
  }, null, { timeout: 10000 });
  const after = await apiJson(`/goods/${goodsId}`);
  assert.deepEqual(after.images, [...galleryBefore, src]);
  await page.screenshot({ path: join(out, 'gallery.png'), fullPage: true });
});

test('a file over the size limit is refused with a visible message and nothing is recorded', async () => {
  const imageBefore = await bannerImage(bannerId);
  const big = Buffer.concat([png(4, 4), Buffer.alloc(MAX_BYTES + 1)]);

  const result = await uploadThroughThePage({ name: 'huge.png', mimeType: 'image/png', buffer: big });

  assert.equal(result.state, 'error', result.message);
  assert.match(result.message, /contentLength/);
  assert.ok(await page.isVisible('#result-message'));
  assert.equal(await bannerImage(bannerId), imageBefore);
  await page.screenshot({ path: join(out, 'too-big.png'), fullPage: true });
});

test('a text file renamed .png is rejected after upload with a visible reason and nothing is recorded', async () => {
  const imageBefore = await bannerImage(bannerId);

  const result = await uploadThroughThePage({
    name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('These are my notes, not a picture.\n'),
  });

  assert.equal(result.state, 'rejected', result.message);
  assert.match(result.message, /not a png image/);
  assert.ok(await page.isVisible('#result-message'));
  assert.equal(await bannerImage(bannerId), imageBefore);
  await page.screenshot({ path: join(out, 'rejected.png'), fullPage: true });
  assert.deepEqual(consoleErrors.filter((e) => !/status of 400/.test(e)), []);
});
