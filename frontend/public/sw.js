// eCabinet service worker (scope "/"): the app shell for offline use, and the meeting
// documents a room stored in this device's cache (ecabinet-docs-u<user>, filled by the page).
// No other API response is cached: they are per user and they change.
const SHELL = "ecabinet-shell-v1";
const DOCS = "ecabinet-docs-u";
const CONTENT = /^\/api\/v1\/meetings\/\d+\/documents\/\d+\/content$/;

/** The shell: the page and the scripts and styles it names. */
async function cacheShell() {
  const cache = await caches.open(SHELL);
  const response = await fetch("/", { credentials: "same-origin", cache: "no-cache" });
  if (!response.ok) return;
  const html = await response.clone().text();
  await cache.put("/", response);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
  await Promise.all(assets.map((url) => cache.add(url).catch(() => undefined)));
}

self.addEventListener("install", (event) => {
  event.waitUntil(cacheShell().catch(() => undefined).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("ecabinet-shell-") && n !== SHELL).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

/** A kept meeting document, whichever user cache holds it (the page keeps only its user's). */
async function keptDocument(request) {
  for (const name of await caches.keys()) {
    if (!name.startsWith(DOCS)) continue;
    const hit = await (await caches.open(name)).match(request.url);
    if (hit) return hit;
  }
  return undefined;
}

/** Pages come from the server; offline, the kept shell (the app routes on its own). */
async function networkFirstPage(request) {
  try {
    return await fetch(request);
  } catch {
    return (await caches.open(SHELL).then((c) => c.match("/"))) || Response.error();
  }
}

async function cacheFirstAsset(request) {
  const cache = await caches.open(SHELL);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}

// The page asks for a fresh shell each time it loads (a new build names new assets).
self.addEventListener("message", (event) => {
  if (event.data === "refresh-shell") event.waitUntil(cacheShell().catch(() => undefined));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/public")) return;
    event.respondWith(networkFirstPage(request));
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(cacheFirstAsset(request));
  } else if (CONTENT.test(url.pathname) && !request.headers.has("range")) {
    event.respondWith(keptDocument(request).then((hit) => hit || fetch(request)));
  }
  // Everything else (the API, the socket, sw.js itself) goes to the network untouched.
});
