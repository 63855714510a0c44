// 一张图: every filed institution as a clustered marker over the county boundaries, with filters and
// "near me" (the nearest institutions by estimated walking distance and the fifteen-minute circle).
// Works with no tile server; a tile layer is added only when the page names one.
(function () {
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  const figures = JSON.parse(document.getElementById("county-figures").textContent || "{}");
  const labels = JSON.parse(document.getElementById("map-labels").textContent || "{}");
  const form = document.getElementById("map-filters");
  const status = document.getElementById("map-status");
  const nearBox = document.getElementById("near");
  const nearList = document.getElementById("near-list");
  const WALK_FACTOR = 1.3; // straight line → walking, a common rule of thumb for city streets
  const WALK_M_PER_MIN = 75; // 4.5 km/h
  const CIRCLE_M = 1000; // the fifteen-minute walk, straight line
  const SEARCH_M = 5000; // list the nearest even when none is inside the circle
  const cardUrl = (id) => el.dataset.card.replace("/0/", `/${id}/`);
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));

  let here = null; // the chosen point [lat, lng], once there is one
  const map = L.map(el, { zoomSnap: 0.25, maxZoom: 18 }); // marker clustering needs a maxZoom
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
  map.setView([32.9, 119.5], 7);

  // Counties, shaded lightly by filed institutions so the markers stay readable.
  const values = Object.values(figures).map((f) => f.institutions);
  const max = Math.max(1, ...values);
  const colour = (n) => {
    const t = n / max;
    return t > 0.8 ? "#084c61" : t > 0.6 ? "#0b7a75" : t > 0.4 ? "#3aa39b" : t > 0.2 ? "#7cc6bd" : n > 0 ? "#c4e8e2" : "#f0f4f8";
  };
  fetch(el.dataset.boundaries).then((r) => r.json()).then((geo) => {
    const shown = { type: "FeatureCollection", features: geo.features.filter((f) => f.properties.code in figures) };
    const layer = L.geoJSON(shown, {
      style: (f) => ({ color: "#52606d", weight: 1, fillOpacity: 0.35, fillColor: colour(figures[f.properties.code].institutions) }),
      onEachFeature: (f, lyr) => {
        const row = figures[f.properties.code];
        lyr.bindTooltip(`${esc(row.name)}<br>${row.institutions} ${esc(labels.institutions)} · ${row.places} ${esc(labels.places)}`, { sticky: true });
      },
    }).addTo(map);
    layer.bringToBack();
    if (shown.features.length && !here) map.fitBounds(layer.getBounds());
    el.dataset.ready = String(shown.features.length);
  });

  const filterParams = () => {
    const p = new URLSearchParams();
    if (form.inclusive.checked) p.set("inclusive", "true");
    if (form.type.value) p.set("type", form.type.value);
    const age = form.age_months.value.trim();
    if (age !== "" && Number(age) >= 0 && Number(age) <= 36) p.set("age_months", String(Math.floor(Number(age))));
    return p;
  };

  // Markers: one compact request for every point, clustered.
  const clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
  map.addLayer(clusters);
  let pointsRequest = 0;
  function loadPoints() {
    const mine = ++pointsRequest;
    status.textContent = labels.loading;
    fetch(`${el.dataset.points}?${filterParams()}`).then((r) => r.json()).then((data) => {
      if (mine !== pointsRequest) return;
      const markers = (data.items || []).map(([id, lat, lng, inclusive, name]) =>
        L.marker([lat, lng], {
          title: name,
          icon: L.divIcon({ className: inclusive ? "pin inclusive" : "pin", iconSize: [12, 12] }),
        }).bindPopup(`<a href="${cardUrl(id)}">${esc(name)}</a>${inclusive ? ` <span class="badge">${esc(labels.inclusive)}</span>` : ""}`));
      clusters.clearLayers();
      clusters.addLayers(markers);
      status.textContent = fmt(labels.shown, { n: markers.length });
      el.dataset.markers = String(markers.length);
    });
  }

  // Near a point: the nearest institutions, the fifteen-minute circle and the point itself.
  const hereLayer = L.layerGroup().addTo(map);
  let nearRequest = 0;
  function showNear(lat, lng) {
    here = [lat, lng];
    hereLayer.clearLayers();
    L.circle(here, { radius: CIRCLE_M, className: "walk-circle", interactive: false, color: "#ba2525", weight: 2, fillOpacity: 0.06 }).addTo(hereLayer);
    L.marker(here, { interactive: false, icon: L.divIcon({ className: "here", iconSize: [14, 14] }) }).addTo(hereLayer);
    map.setView(here, Math.max(map.getZoom(), 14));
    const p = filterParams();
    p.set("near", `${lat.toFixed(6)},${lng.toFixed(6)}`);
    p.set("radius_m", String(SEARCH_M));
    p.set("limit", "10");
    const mine = ++nearRequest;
    fetch(`${el.dataset.nearest}?${p}`).then((r) => r.json()).then((data) => {
      if (mine !== nearRequest) return;
      nearBox.hidden = false;
      const items = data.items || [];
      nearList.innerHTML = items.length ? items.map((i) => {
        const walk = Math.round((i.distance_m * WALK_FACTOR) / 10) * 10;
        const minutes = Math.max(1, Math.round((i.distance_m * WALK_FACTOR) / WALK_M_PER_MIN));
        return `<li data-distance="${i.distance_m}"><a href="${cardUrl(i.id)}">${esc(i.name)}</a>` +
          (i.inclusive ? ` <span class="badge">${esc(labels.inclusive)}</span>` : "") +
          `<span class="meta">${esc(fmt(labels.walk, { m: walk, min: minutes }))}` +
          (i.distance_m <= CIRCLE_M ? ` · ${esc(labels.within)}` : "") +
          ` · ${esc((labels.types || {})[i.type] || i.type)} · ${esc(i.township_name)}</span></li>`;
      }).join("") : `<li class="muted">${esc(fmt(labels.none, { km: SEARCH_M / 1000 }))}</li>`;
      nearList.dataset.ready = String(items.length);
    });
  }

  map.on("click", (e) => showNear(e.latlng.lat, e.latlng.lng));
  document.getElementById("near-me").addEventListener("click", () => {
    if (!navigator.geolocation) { status.textContent = labels.no_geo; return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => showNear(pos.coords.latitude, pos.coords.longitude),
      () => { status.textContent = labels.no_geo; },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 },
    );
  });
  form.addEventListener("change", () => { loadPoints(); if (here) showNear(here[0], here[1]); });

  loadPoints();
  // A link such as /public/map/#32.05,118.80 (from a trust card) opens with that point chosen.
  const m = window.location.hash.match(/^#(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/);
  if (m) showNear(parseFloat(m[1]), parseFloat(m[2]));
})();
