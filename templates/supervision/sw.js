// Service worker of /supervision/: keeps the phone checklist and its assets for use without a network.
// Network first (the page stays current when online); the cache answers when the network fails.
const CACHE = "{{ cache }}";
const KEEP = [/^\/static\//, /^\/supervision\/inspections\/\d+\/checklist\/$/];

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok && KEEP.some((re) => re.test(url.pathname))) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.open(CACHE)
          .then((cache) => cache.match(request, { ignoreVary: true, ignoreSearch: url.pathname.startsWith("/static/") }))
          .then((cached) => cached || new Response("offline", { status: 503, headers: { "Content-Type": "text/plain" } })),
      ),
  );
});
