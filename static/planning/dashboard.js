// The dashboard's map: sub-regions coloured by the chosen indicator against its target (cities and
// counties as polygons, townships as circles sized by places) and institutions as dots. Leaflet comes
// from the xstatic package; no tile server is needed (a tile layer is added only when one is set).
(function () {
  const el = document.getElementById("dashboard-map");
  if (!el || typeof L === "undefined") return;
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
  const text = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const NO_DATA = "#e4e7eb";
  const BINS = [
    [1, "#1a7f37", "≥ 100 %"], [0.85, "#7cc6bd", "85–100 %"], [0.7, "#f6d365", "70–85 %"],
    [0.5, "#f4a259", "50–70 %"], [0, "#d1495b", "< 50 %"],
  ];

  fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((data) => {
      const regions = data.features.filter((f) => f.properties.kind === "region" && f.geometry);
      const institutions = data.features.filter((f) => f.properties.kind === "institution");
      const values = regions.map((f) => f.properties.value).filter((v) => v !== null);
      const max = Math.max(0, ...values);
      const scale = data.target || max || 1;
      const colour = (v) => {
        if (v === null || v === undefined) return NO_DATA;
        const ratio = v / scale;
        return BINS.find(([cut]) => ratio >= cut)[1];
      };
      const layers = [];
      const polygons = regions.filter((f) => f.geometry.type !== "Point");
      if (polygons.length) {
        layers.push(L.geoJSON({ type: "FeatureCollection", features: polygons }, {
          style: (f) => ({ color: "#52606d", weight: 1, fillOpacity: 0.75, fillColor: colour(f.properties.value) }),
          onEachFeature: (f, lyr) => {
            lyr.bindTooltip(`${text(f.properties.name)}<br>${text(f.properties.display)}`);
            lyr.on("click", () => { window.location = f.properties.href; });
          },
        }).addTo(map));
      }
      const points = regions.filter((f) => f.geometry.type === "Point");
      if (points.length) {
        const most = Math.max(1, ...points.map((f) => f.properties.places || 0));
        const group = L.featureGroup(points.map((f) => {
          const p = f.properties;
          const [lng, lat] = f.geometry.coordinates;
          const fill = p.value !== null ? colour(p.value) : p.counts_for_coverage === false ? NO_DATA : p.has_inclusive ? "#1a7f37" : "#d1495b";
          const marker = L.circleMarker([lat, lng], {
            radius: 5 + 18 * Math.sqrt((p.places || 0) / most), color: "#334e68", weight: 1, fillColor: fill, fillOpacity: 0.6,
          });
          const inclusive = p.has_inclusive ? el.dataset.labelInclusive : el.dataset.labelNoInclusive;
          marker.bindTooltip(`${text(p.name)}<br>${text(p.places || 0)} ${text(el.dataset.labelPlaces)} · ${text(inclusive)}` +
            (p.value !== null ? `<br>${text(p.display)}` : ""));
          marker.on("click", () => { window.location = p.href; });
          return marker;
        })).addTo(map);
        layers.push(group);
      }
      if (institutions.length) {
        const group = L.featureGroup(institutions.map((f) => {
          const p = f.properties;
          const [lng, lat] = f.geometry.coordinates;
          const marker = L.circleMarker([lat, lng], {
            radius: 3.5, color: p.inclusive ? "#0b5d1e" : "#102a43", weight: 1, fillColor: p.inclusive ? "#2f9e44" : "#486581", fillOpacity: 0.9,
          });
          marker.bindTooltip(`${text(p.name)}<br>${text(p.places)} ${text(el.dataset.labelPlaces)}`);
          marker.on("click", () => { window.location = p.href; });
          return marker;
        })).addTo(map);
        layers.push(group);
      }
      const bounds = layers.reduce((b, l) => (l.getBounds().isValid() ? b.extend(l.getBounds()) : b), L.latLngBounds([]));
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 14 }); else map.setView([32.9, 119.5], 7);

      const legend = L.control({ position: "bottomright" });
      legend.onAdd = () => {
        const div = L.DomUtil.create("div", "legend");
        let rows;
        if (data.target) {
          rows = BINS.map(([, c, label]) => `<i style="background:${c}"></i>${label} ${text(el.dataset.labelTarget)}`);
        } else {
          rows = BINS.map(([cut, c]) => `<i style="background:${c}"></i>≥ ${(cut * scale).toFixed(1)}`);
        }
        const byInclusive = points.length && !values.length;
        if (byInclusive) {
          rows = [`<i style="background:#1a7f37"></i>${text(el.dataset.labelInclusive)}`,
                  `<i style="background:#d1495b"></i>${text(el.dataset.labelNoInclusive)}`];
        }
        rows.push(`<i style="background:${NO_DATA}"></i>${text(el.dataset.labelNoData)}`);
        div.innerHTML = `${byInclusive ? "" : `${text(data.indicator_name)}${data.target ? ` (${text(el.dataset.labelTarget)} ${data.target})` : ""}<br>`}${rows.join("<br>")}`;
        return div;
      };
      legend.addTo(map);
      el.dataset.ready = String(regions.length + institutions.length);
    })
    .catch(() => { el.dataset.ready = "error"; });
})();
