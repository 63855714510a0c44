// Scenario mode on a map: the region's boundaries, its operating institutions, its communities coloured by
// whether a place is within a fifteen-minute walk, the hypothetical centres and the suggested sites.
// Clicking the map adds a centre; the page's own form and links are fetched in place (the page works
// without this script: the same form and links reload it). Works with no tile server.
(function () {
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  const labels = JSON.parse(document.getElementById("scenario-labels").textContent || "{}");
  const status = document.getElementById("map-status");
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const fmt = (template, values) => template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? esc(values[k]) : m));
  const live = () => document.getElementById("scenario-live");
  const readData = () => JSON.parse(document.getElementById("scenario-data").textContent || "{}");
  const COLOURS = ["#d64545", "#3aa39b", "#2563eb"]; // uncovered, covered, newly covered

  let data = readData();
  const renderer = L.canvas({ padding: 0.5 });
  const map = L.map(el, { zoomSnap: 0.25, maxZoom: 18, preferCanvas: true });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
  map.setView([32.9, 119.5], 7);
  el.scenarioMap = map; // for browser tests

  const communityLayer = L.layerGroup().addTo(map);
  const institutionLayer = L.layerGroup().addTo(map);
  const additionLayer = L.layerGroup().addTo(map);
  const siteLayer = L.layerGroup().addTo(map);
  let fitted = false;

  function fitTo(layer) {
    if (fitted) return;
    const bounds = layer.getBounds ? layer.getBounds() : null;
    if (bounds && bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); fitted = true; }
  }

  fetch(el.dataset.boundaries).then((r) => r.json()).then((geo) => {
    const mine = { type: "FeatureCollection", features: geo.features.filter((f) => String(f.properties.code).startsWith(data.prefix)) };
    const layer = L.geoJSON(mine, { interactive: false, style: { color: "#52606d", weight: 1.5, fill: false } }).addTo(map);
    layer.bringToBack();
    fitTo(layer);
    el.dataset.ready = String(mine.features.length);
  }).catch(() => { el.dataset.ready = "0"; });

  function draw() {
    communityLayer.clearLayers();
    institutionLayer.clearLayers();
    additionLayer.clearLayers();
    siteLayer.clearLayers();
    const communityBounds = L.latLngBounds([]);
    for (const [lat, lng, state] of data.communities || []) {
      L.circleMarker([lat, lng], { renderer, radius: 3, stroke: false, fillOpacity: 0.8, fillColor: COLOURS[state] || COLOURS[0], interactive: false }).addTo(communityLayer);
      communityBounds.extend([lat, lng]);
    }
    for (const [, lat, lng, places, inclusive, name] of data.institutions || []) {
      L.circleMarker([lat, lng], { renderer, radius: 4, weight: 1, color: "#fff", fillOpacity: 1, fillColor: inclusive ? "#b45309" : "#243b53" })
        .bindTooltip(fmt(labels.institution, { name, places })).addTo(institutionLayer);
    }
    for (const [lat, lng, places, , township] of data.additions || []) {
      L.circle([lat, lng], { radius: data.radius_m, className: "walk-circle", interactive: false, color: "#d97706", weight: 1.5, dashArray: "4 4", fillOpacity: 0.05 }).addTo(additionLayer);
      L.marker([lat, lng], { icon: L.divIcon({ className: "hypo-pin", iconSize: [16, 16] }) })
        .bindTooltip(fmt(labels.addition, { places, township })).addTo(additionLayer);
    }
    for (const [lat, lng, rank, name, communities, residents, url] of data.sites || []) {
      L.marker([lat, lng], { icon: L.divIcon({ className: "site-pin", html: String(rank), iconSize: [20, 20] }) })
        .bindPopup(`${fmt(labels.site, { rank, name, communities, residents })}<br><a href="${esc(url)}" class="js-refresh">${esc(labels.add_button)}</a>`)
        .addTo(siteLayer);
    }
    if (!fitted && communityBounds.isValid()) { map.fitBounds(communityBounds, { padding: [10, 10] }); fitted = true; }
    el.dataset.communities = String((data.communities || []).length);
    el.dataset.additions = String((data.additions || []).length);
    el.dataset.sites = String((data.sites || []).length);
  }

  // The page itself, fetched with the form's or a link's query, replaces #scenario-live.
  let request = 0;
  function refresh(url) {
    const mine = ++request;
    status.textContent = labels.updating;
    live().classList.add("busy");
    fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then((html) => {
        if (mine !== request) return;
        const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("scenario-live");
        if (!fresh) throw new Error("no scenario in the answer");
        live().replaceWith(fresh);
        history.replaceState(null, "", url);
        data = readData();
        draw();
        status.textContent = fresh.querySelector("[data-testid=scenario-invalid]") ? labels.failed : "";
        el.dataset.version = String(Number(el.dataset.version || 0) + 1);
      })
      .catch(() => { if (mine === request) { live().classList.remove("busy"); status.textContent = labels.failed; } });
  }

  function formUrl(form) {
    const params = new URLSearchParams(new FormData(form));
    return `${form.action}?${params}`;
  }

  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.id !== "scenario-form") return;
    e.preventDefault();
    refresh(formUrl(form));
  });
  document.addEventListener("click", (e) => {
    const link = e.target.closest("a.js-refresh");
    if (!link) return;
    e.preventDefault();
    map.closePopup();
    refresh(link.href);
  });

  // Clicking the map: a small form for the centre's places; adding fills a blank row and submits.
  function addRow(lat, lng, places, inclusive) {
    const form = document.getElementById("scenario-form");
    const rows = form.querySelector("#addition-rows");
    let row = Array.from(rows.querySelectorAll("tr.blank")).find((r) => !r.querySelector("[name=lat]").value);
    if (!row) {
      row = rows.querySelector("tr.blank").cloneNode(true);
      rows.appendChild(row);
    }
    row.querySelector("[name=lat]").value = lat.toFixed(6);
    row.querySelector("[name=lng]").value = lng.toFixed(6);
    row.querySelector("[name=places]").value = String(places);
    row.querySelector("[name=inclusive]").value = inclusive ? "1" : "0";
    row.querySelector("[name=institution]").value = "";
    refresh(formUrl(form));
  }

  map.on("click", (e) => {
    const { lat, lng } = e.latlng;
    const box = L.DomUtil.create("form", "add-popup");
    box.innerHTML = `<strong>${esc(labels.add)}</strong>` +
      `<label>${esc(labels.places)} <input type="number" name="places" min="1" max="2000" value="${data.suggested_places}" required></label>` +
      `<label><input type="checkbox" name="inclusive" checked> ${esc(labels.inclusive)}</label>` +
      `<button type="submit">${esc(labels.add_button)}</button>`;
    L.DomEvent.disableClickPropagation(box);
    box.addEventListener("submit", (ev) => {
      ev.preventDefault();
      ev.stopPropagation();
      const places = Math.round(Number(box.places.value));
      if (!(places >= 1 && places <= 2000)) { box.places.reportValidity(); return; }
      map.closePopup();
      addRow(lat, lng, places, box.inclusive.checked);
    });
    L.popup().setLatLng(e.latlng).setContent(box).openOn(map);
    box.places.focus();
  });

  draw();
})();
