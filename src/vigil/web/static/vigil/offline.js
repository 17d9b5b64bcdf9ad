/*
 * Vigil: offline intake.
 *
 * The intake form works without this script (a plain server-rendered POST), and online it is still posted that
 * way. With this script:
 *  - a report submitted while the browser is offline is kept on this device: encrypted with AES-GCM under a
 *    non-extractable WebCrypto key, both held in IndexedDB. The service worker (sw.js, which imports this file
 *    for the queue alone) does the same for a report posted online whose post fails by network error;
 *  - every report has its own client UUID (crypto.randomUUID()); the server takes a resubmitted identical
 *    report as success without a duplicate, and a different report under a used UUID as a conflict kept for
 *    review, so a queued report is deleted only after the server answered "saved" or "conflict";
 *  - the queue is sent from any page of a signed-in volunteer (the intake form, or the outbox in the header of
 *    every page), when it loads and when the browser comes back online; each report only by the account that
 *    queued it (a shared device must not send one volunteer's reports as another's). The outbox shows how many
 *    wait;
 *  - one call may report several detainees: "Add another detainee" adds a block from the page's <template>
 *    (without this script the server adds it), each block with its own report UUID; the whole call is one
 *    queued entry, under the form's report_uuid;
 *  - the service worker, registered from the intake page, keeps the intake page and its assets so that
 *    reloading the intake page offline still shows the form.
 * No inline script, no eval: the Content Security Policy allows only same-origin script files.
 */
(function (global) {
  "use strict";

  var DB_NAME = "vigil-offline";
  var DB_VERSION = 1;
  var QUEUE = "queue";
  var KEYS = "keys";
  var KEY_ID = "queue-key";
  var LOCK = "vigil-offline-queue";
  var CACHE_PREFIX = "vigil-offline-";
  var FORM = "form[data-offline-intake]";
  var OUTBOX = "#outbox";
  var SUBMITTED = "vigil-offline-submitted";
  var encoder = new TextEncoder();
  var decoder = new TextDecoder();

  function supported() {
    return !!(global.indexedDB && global.crypto && global.crypto.subtle && global.crypto.randomUUID && global.fetch);
  }

  // ---- IndexedDB -------------------------------------------------------------------------------------------

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function committed(tx) {
    return new Promise(function (resolve, reject) {
      tx.oncomplete = function () { resolve(); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error); };
    });
  }

  function openDb() {
    var req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = function () {
      var db = req.result;
      if (!db.objectStoreNames.contains(QUEUE)) db.createObjectStore(QUEUE, { keyPath: "uuid" });
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS);
    };
    return request(req);
  }

  async function withDb(fn) {
    var db = await openDb();
    try {
      return await fn(db);
    } finally {
      db.close();
    }
  }

  function allEntries(db) {
    return request(db.transaction(QUEUE, "readonly").objectStore(QUEUE).getAll());
  }

  function putEntry(db, entry) {
    var tx = db.transaction(QUEUE, "readwrite");
    tx.objectStore(QUEUE).put(entry);
    return committed(tx);
  }

  function deleteEntry(db, uuid) {
    var tx = db.transaction(QUEUE, "readwrite");
    tx.objectStore(QUEUE).delete(uuid);
    return committed(tx);
  }

  // Every change to the queue or its key runs under one lock, shared by all tabs and the service worker.
  function withLock(fn) {
    if (global.navigator.locks && global.navigator.locks.request) return global.navigator.locks.request(LOCK, fn);
    return fn();
  }

  // ---- Encryption ------------------------------------------------------------------------------------------

  async function queueKey(db, create) {
    var key = await request(db.transaction(KEYS, "readonly").objectStore(KEYS).get(KEY_ID));
    if (key || !create) return key || null;
    // Non-extractable: scripts of this origin can use the key but never read its bytes.
    key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    var tx = db.transaction(KEYS, "readwrite");
    tx.objectStore(KEYS).add(key, KEY_ID);
    await committed(tx);
    return key;
  }

  // With nothing left to decrypt the key goes too; the next queued report gets a new one.
  async function shredKeyIfEmpty(db) {
    var tx = db.transaction([QUEUE, KEYS], "readwrite");
    var left = await request(tx.objectStore(QUEUE).count());
    if (left === 0) tx.objectStore(KEYS).delete(KEY_ID);
    await committed(tx);
  }

  function aad(uuid) {
    return encoder.encode("vigil offline report " + uuid);
  }

  async function seal(key, uuid, owner, payload) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var plain = encoder.encode(JSON.stringify(payload));
    var ct = await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv, additionalData: aad(uuid) }, key, plain);
    return { uuid: uuid, owner: owner || "", iv: iv, ct: ct, refused: false };
  }

  // A report is sent, shown and reopened only for the account that queued it ("" if that is unknown).
  function mine(entry, owner) {
    return !entry.owner || entry.owner === owner;
  }

  async function unseal(key, entry) {
    var plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: entry.iv, additionalData: aad(entry.uuid) }, key, entry.ct
    );
    return JSON.parse(decoder.decode(plain));
  }

  // ---- The queue -------------------------------------------------------------------------------------------

  // Keeps one report: fields is a list of [name, value] pairs as the form would post them (no CSRF token),
  // url where to post it, owner the account that queued it. A report queued under the same UUID is replaced.
  function enqueue(url, fields, owner) {
    fields = fields.filter(function (pair) { return pair[0] !== "csrfmiddlewaretoken"; });
    var given = fields.filter(function (pair) { return pair[0] === "report_uuid" && pair[1]; })[0];
    var uuid = given ? given[1] : crypto.randomUUID();
    if (!given) fields.push(["report_uuid", uuid]);
    var payload = { url: url, fields: fields, queuedAt: new Date().toISOString() };
    return withLock(function () {
      return withDb(async function (db) {
        var key = await queueKey(db, true);
        await putEntry(db, await seal(key, uuid, owner, payload));
        return uuid;
      });
    });
  }

  function forget(uuid) {
    return withLock(function () {
      return withDb(async function (db) {
        await deleteEntry(db, uuid);
        await shredKeyIfEmpty(db);
      });
    });
  }

  function queueState(owner) {
    return withDb(async function (db) {
      var entries = (await allEntries(db)).filter(function (e) { return mine(e, owner); });
      var refused = entries.filter(function (e) { return e.refused; }).length;
      return { queued: entries.length, refused: refused, sent: 0, conflicts: 0 };
    });
  }

  function firstRefused(owner) {
    return withLock(function () {
      return withDb(async function (db) {
        var entry = (await allEntries(db)).filter(function (e) { return e.refused && mine(e, owner); })[0];
        var key = entry ? await queueKey(db, false) : null;
        return entry && key ? await unseal(key, entry) : null;
      });
    });
  }

  // Sends every queued report in turn through send(url, fields), which answers "sent", "conflict", "refused"
  // or "later" (or throws on a network error). Deletes each only once the server has it, saved or kept as a
  // conflict; a refused one stays, marked, for a person to correct.
  function sendQueue(send, owner) {
    return withLock(function () {
      return withDb(async function (db) {
        var result = { queued: 0, refused: 0, sent: 0, conflicts: 0 };
        var entries = (await allEntries(db)).filter(function (e) { return mine(e, owner); });
        var key = entries.length ? await queueKey(db, false) : null;
        for (var i = 0; i < entries.length; i++) {
          var entry = entries[i];
          if (entry.refused || !key) continue;
          var payload;
          try {
            payload = await unseal(key, entry);
          } catch (err) {
            continue; // kept: never delete what could not be read
          }
          var answer;
          try {
            answer = await send(payload.url, payload.fields);
          } catch (err) {
            break; // network error: the rest waits for the next "online" event or page load
          }
          if (answer === "sent" || answer === "conflict") {
            await deleteEntry(db, entry.uuid);
            if (answer === "sent") result.sent += 1;
            else result.conflicts += 1;
          } else if (answer === "refused") {
            entry.refused = true;
            await putEntry(db, entry);
          } else {
            break; // signed out, locked, server error: try again later
          }
        }
        await shredKeyIfEmpty(db);
        var left = (await allEntries(db)).filter(function (e) { return mine(e, owner); });
        result.queued = left.length;
        result.refused = left.filter(function (e) { return e.refused; }).length;
        return result;
      });
    });
  }

  global.VigilOfflineQueue = { supported: supported, enqueue: enqueue, state: queueState };

  if (typeof document === "undefined" || !supported()) return; // the service worker needs only the queue

  // ---- The page --------------------------------------------------------------------------------------------

  var flushing = null;
  var flushes = 0;

  function intakeForm() {
    return document.querySelector(FORM);
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") fields.push([name, value]);
    });
    return fields;
  }

  function fill(form, fields) {
    form.reset();
    fields.forEach(function (pair) {
      var el = form.elements.namedItem(pair[0]);
      if (el && "value" in el) el.value = pair[1];
    });
  }

  function owner(form) {
    var holder = form || document.querySelector(OUTBOX);
    return holder ? holder.dataset.owner || "" : "";
  }

  function outbox() {
    return document.querySelector(OUTBOX);
  }

  // The header's count of what waits on this device (refused ones included: they wait for a correction).
  function showOutbox(result) {
    var box = outbox();
    if (!box || !result) return;
    box.dataset.queued = String(result.queued);
    box.textContent = (box.dataset.msg || "%(n)s").replace("%(n)s", String(result.queued));
    box.title = (box.dataset.msgTitle || "").replace("%(n)s", String(result.queued));
    box.hidden = result.queued === 0;
  }

  function intakeUrl(form) {
    return new URL(form.dataset.intakeUrl || location.pathname, location.href).href;
  }

  // A fresh UUID for the next report. The server renders one too, but a page reloaded from the service
  // worker's cache would show the same one again; a form redisplayed with errors keeps its own.
  function renewUuid(form) {
    var input = form.elements.namedItem("report_uuid");
    if (input) input.value = crypto.randomUUID();
    blocks(form).forEach(function (block) {
      var own = block.querySelector("input[name$='-uuid']");
      if (own) own.value = crypto.randomUUID();
    });
  }

  // ---- More detainees of the same call ----------------------------------------------------------------------

  function blocks(form) {
    var holder = form.querySelector("#detainees");
    return holder ? Array.prototype.slice.call(holder.querySelectorAll("[data-detainee]")) : [];
  }

  function totalForms(form) {
    return form.elements.namedItem((form.dataset.detainees || "more") + "-TOTAL_FORMS");
  }

  // One more block from the page's template: the next index, its own UUID. Works offline, as it needs no server.
  function addBlock(form) {
    var template = document.getElementById("detainee-template");
    var holder = form.querySelector("#detainees");
    var total = totalForms(form);
    if (!template || !holder || !total) return null;
    var index = parseInt(total.value, 10) || 0;
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 2));
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html;
    var block = wrapper.querySelector("[data-detainee]");
    holder.appendChild(block);
    total.value = String(index + 1);
    var own = block.querySelector("input[name$='-uuid']");
    if (own) own.value = crypto.randomUUID();
    return block;
  }

  function removeBlocks(form) {
    blocks(form).forEach(function (block) { block.parentNode.removeChild(block); });
    var total = totalForms(form);
    if (total) total.value = "0";
  }

  function message(form, name, n) {
    return (form.dataset[name] || "").replace("%(n)s", String(n));
  }

  function statusBox(form) {
    var box = document.getElementById("offline-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "offline-status";
      box.className = "card";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      form.parentNode.insertBefore(box, form);
    }
    return box;
  }

  // Shows what the queue holds; data-* attributes carry the same figures for scripts and tests.
  function report(result, justQueued) {
    showOutbox(result);
    var form = intakeForm();
    if (!form) return;
    var lines = [];
    if (result.sent) lines.push(message(form, "msgSent", result.sent));
    if (result.conflicts) lines.push(message(form, "msgConflicts", result.conflicts));
    if (result.refused) lines.push(message(form, "msgRefused", result.refused));
    var waiting = result.queued - result.refused;
    if (waiting > 0) lines.push(message(form, justQueued ? "msgQueued" : "msgWaiting", waiting));
    var box = statusBox(form);
    box.textContent = "";
    lines.forEach(function (line) {
      var p = document.createElement("p");
      p.textContent = line;
      box.appendChild(p);
    });
    box.hidden = lines.length === 0;
    ["queued", "refused", "sent", "conflicts"].forEach(function (k) { box.dataset[k] = String(result[k]); });
    box.dataset.flushes = String(flushes);
    if (result.refused > 0) {
      var open = document.createElement("button");
      open.type = "button";
      open.id = "offline-open-refused";
      open.textContent = form.dataset.msgOpen || "Open";
      open.addEventListener("click", openRefused);
      box.appendChild(open);
    }
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // Posts a queued report to the intake view and reads its answer: "sent" (it redirects to ?saved=),
  // "conflict" (its conflict message: a different report under this UUID, kept for review), "refused" (the
  // form came back with errors), or "later" (signed out, locked, no permission, server error).
  async function send(url, fields) {
    var token = csrfToken();
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", token);
    fields.forEach(function (pair) { body.append(pair[0], pair[1]); });
    var resp = await fetch(url, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store", redirect: "follow",
      headers: { "X-CSRFToken": token },
    });
    var target = new URL(url, location.href);
    var final = new URL(resp.url || url, location.href);
    if (!resp.ok || final.origin !== target.origin || final.pathname !== target.pathname) return "later";
    var form = new DOMParser().parseFromString(await resp.text(), "text/html").querySelector(FORM);
    if (!form) return "later";
    if (resp.redirected && final.searchParams.has("saved")) return "sent";
    var conflict = form.dataset.conflictMessage || "";
    var errors = Array.prototype.map.call(form.querySelectorAll(".error"), function (e) { return e.textContent; });
    return conflict && errors.join(" ").indexOf(conflict) !== -1 ? "conflict" : "refused";
  }

  function flush() {
    var form = intakeForm();
    if (!form && !outbox()) return Promise.resolve(null);
    if (!flushing) {
      flushing = sendQueue(send, owner(form)).then(function (result) {
        flushes += 1;
        report(result, false);
        return result;
      }).finally(function () {
        flushing = null;
      });
    }
    return flushing;
  }

  // A report the server refused (its form came back with errors) goes back into the form to be corrected.
  // It stays queued, under its UUID, until the corrected version is saved or queued in its place.
  async function openRefused() {
    var form = intakeForm();
    var payload = form ? await firstRefused(owner(form)) : null;
    if (!payload) return;
    removeBlocks(form);
    var name = (form.dataset.detainees || "more") + "-TOTAL_FORMS";
    var wanted = payload.fields.filter(function (pair) { return pair[0] === name; })[0];
    for (var i = 0; i < (wanted ? parseInt(wanted[1], 10) || 0 : 0); i++) addBlock(form);
    fill(form, payload.fields);
    form.scrollIntoView();
  }

  // The fields one call shares (data-carried: date, city, event, caller): they stay for the next report, as the
  // server keeps them after an online save; the rest is cleared for the next detainee.
  function carriedValues(form) {
    return (form.dataset.carried || "").split(" ").filter(Boolean).map(function (name) {
      var el = form.elements.namedItem(name);
      return el && "value" in el ? [name, el.value] : null;
    }).filter(Boolean);
  }

  async function keepOffline(form) {
    await enqueue(intakeUrl(form), fieldsOf(form), owner(form));
    var kept = carriedValues(form);
    form.reset();
    removeBlocks(form);
    kept.forEach(function (pair) { form.elements.namedItem(pair[0]).value = pair[1]; });
    renewUuid(form);
    report(await queueState(owner(form)), true);
    // The form was submitted from its bottom: bring the answer into view, and be ready for the next detainee.
    var box = document.getElementById("offline-status");
    if (box && box.scrollIntoView) box.scrollIntoView({ block: "start" });
    var next = form.elements.namedItem("full_name");
    if (next && next.focus) next.focus({ preventScroll: true });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("#add-detainee") : null;
    var form = button ? button.form : null;
    if (!form || !form.matches(FORM) || !document.getElementById("detainee-template")) return;
    event.preventDefault(); // the server would add the block too, but not offline
    var block = addBlock(form);
    var name = block ? block.querySelector("input[name$='-full_name']") : null;
    if (name) {
      if (name.scrollIntoView) name.scrollIntoView({ block: "center" });
      name.focus({ preventScroll: true });
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches(FORM)) {
      var uuid = (form.elements.namedItem("report_uuid") || {}).value || "";
      if (navigator.onLine) {
        // Online the browser posts the form itself. Remember which report went, to drop a queued copy of it
        // once the server says it is saved.
        try { sessionStorage.setItem(SUBMITTED, uuid); } catch (err) { /* private mode: nothing to drop */ }
        return;
      }
      event.preventDefault();
      if (form.dataset.offlineBusy) return;
      form.dataset.offlineBusy = "1";
      keepOffline(form).catch(function () {
        form.submit(); // storage refused (quota, private mode): let the browser try and say what happened
      }).finally(function () {
        delete form.dataset.offlineBusy;
      });
      return;
    }
    // Signing out or locking: the kept intake page leaves the device with the session (queued reports stay,
    // encrypted, for their owner to send). The form is posted once the copies are deleted.
    var action = form.getAttribute && form.getAttribute("action");
    if (action && /\/(logout|lock)\/$/.test(action) && global.caches && !form.dataset.offlineCleared) {
      event.preventDefault();
      form.dataset.offlineCleared = "1";
      caches.keys().then(function (names) {
        return Promise.all(names.filter(function (n) { return n.indexOf(CACHE_PREFIX) === 0; }).map(function (n) {
          return caches.delete(n);
        }));
      }).catch(function () { /* nothing kept */ }).finally(function () {
        form.submit();
      });
    }
  });

  // After an online post: if the server saved it (the page shows "saved"), a queued copy is no longer needed.
  async function settleSubmitted() {
    var uuid = null;
    try {
      uuid = sessionStorage.getItem(SUBMITTED);
      sessionStorage.removeItem(SUBMITTED);
    } catch (err) {
      return;
    }
    if (uuid && new URL(location.href).searchParams.has("saved")) await forget(uuid);
  }

  function registerWorker(form) {
    var url = form.dataset.serviceWorker;
    if (url && navigator.serviceWorker) {
      navigator.serviceWorker.register(url).catch(function () { /* offline reload unavailable; the queue works */ });
    }
  }

  async function start() {
    var form = intakeForm();
    if (!form) {
      // Any other page of a volunteer: the outbox shows what waits, and sends it when the network is there.
      if (!outbox()) return;
      if (navigator.onLine) await flush();
      else showOutbox(await queueState(owner(null)));
      return;
    }
    if (!("bound" in form.dataset)) renewUuid(form);
    registerWorker(form);
    await settleSubmitted();
    if (navigator.onLine) await flush();
    else report(await queueState(owner(form)), false);
  }

  global.addEventListener("online", function () { flush(); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { start(); });
  else start();
})(self);
