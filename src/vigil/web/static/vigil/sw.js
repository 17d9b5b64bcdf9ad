/*
 * Vigil service worker: keeps the intake page and its assets so that reloading the intake page offline still
 * shows the form (offline.js then queues what is submitted). Served by vigil.web.offline at the site root,
 * which prepends self.VIGIL_OFFLINE = {cache, intake, assets, queue}.
 *
 * Network first, always: online, every page and asset comes from the server as usual, and a fresh copy of the
 * intake page and of the listed assets replaces the kept one. Only GET requests for exactly those URLs are
 * kept; records, exports and other posts go straight to the network and are never stored here.
 * One post is watched: the intake form's. If it fails by network error (or the server is unreachable behind
 * a proxy), the report goes into the encrypted queue of offline.js and the browser is sent to the intake page.
 */
"use strict";

var CONFIG = self.VIGIL_OFFLINE || { cache: "vigil-offline-unconfigured", intake: null, assets: [] };
var CACHE = CONFIG.cache;
if (CONFIG.queue) importScripts(CONFIG.queue); // defines self.VigilOfflineQueue
var UNREACHABLE = [502, 503, 504];

function path(url) {
  return new URL(url, self.location.href).pathname;
}

function keepable(resp, url) {
  // Only the page asked for, as the server sent it: no redirect (signed out, locked), no error page.
  return resp.ok && resp.type === "basic" && !resp.redirected && path(resp.url) === path(url);
}

async function precache() {
  var cache = await caches.open(CACHE);
  var urls = (CONFIG.intake ? [CONFIG.intake] : []).concat(CONFIG.assets);
  await Promise.all(urls.map(async function (url) {
    try {
      var resp = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (keepable(resp, url)) await cache.put(path(url), resp);
    } catch (err) {
      // offline while installing: kept copies come with the next online visit
    }
  }));
}

self.addEventListener("install", function (event) {
  event.waitUntil(precache().then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) {
      return n.indexOf("vigil-offline-") === 0 && n !== CACHE;
    }).map(function (n) { return caches.delete(n); }));
    await self.clients.claim();
  })());
});

async function networkFirst(request, key, store) {
  try {
    var resp = await fetch(request);
    if (store && keepable(resp, request.url)) {
      var cache = await caches.open(CACHE);
      await cache.put(key, resp.clone());
    }
    return resp;
  } catch (err) {
    var kept = await caches.match(key, { cacheName: CACHE });
    if (kept) return kept;
    throw err;
  }
}

// The account the kept intake page belongs to (its form's data-owner): the post carries no such thing.
async function owner() {
  var kept = CONFIG.intake ? await caches.match(path(CONFIG.intake), { cacheName: CACHE }) : null;
  var match = kept ? (await kept.text()).match(/data-owner="([^"]*)"/) : null;
  return match ? match[1] : "";
}

// The intake form posted online: its answer as usual, or, if the post cannot get through, the report kept in
// the queue and a redirect to the intake page (the kept one if still offline), which shows the queue.
async function postIntake(request) {
  var copy = request.clone();
  var failed = null;
  try {
    var resp = await fetch(request);
    if (UNREACHABLE.indexOf(resp.status) === -1) return resp;
    failed = resp;
  } catch (err) {
    failed = err;
  }
  var queue = self.VigilOfflineQueue;
  if (!queue || !queue.supported()) {
    if (failed instanceof Response) return failed;
    throw failed;
  }
  var fields = [];
  (await copy.formData()).forEach(function (value, name) {
    if (typeof value === "string") fields.push([name, value]);
  });
  await queue.enqueue(path(request.url), fields, await owner());
  return Response.redirect(new URL(CONFIG.intake, self.location.href).href, 303);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && CONFIG.intake && url.pathname === path(CONFIG.intake)) {
    event.respondWith(postIntake(request));
    return;
  }
  if (request.method !== "GET") return;
  if (CONFIG.intake && request.mode === "navigate" && url.pathname === path(CONFIG.intake)) {
    // /intake/?saved=N is not kept (it names a record) but falls back to the kept form.
    event.respondWith(networkFirst(request, url.pathname, url.search === ""));
    return;
  }
  if (CONFIG.assets.some(function (a) { return path(a) === url.pathname; })) {
    event.respondWith(networkFirst(request, url.pathname, true));
  }
});
