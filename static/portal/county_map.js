// County choropleth on Leaflet: boundaries from /api/v1/regions/boundaries, figures embedded in the page.
// Works with no tile server; a tile layer is added only when the page names one.
(function () {
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  const figures = JSON.parse(document.getElementById("county-figures").textContent || "{}");
  const map = L.map(el, { zoomSnap: 0.25, attributionControl: true });
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18 }).addTo(map);
  const values = Object.values(figures).map((f) => f.institutions);
  const max = Math.max(1, ...values);
  const colour = (n) => {
    const t = n / max;
    return t > 0.8 ? "#084c61" : t > 0.6 ? "#0b7a75" : t > 0.4 ? "#3aa39b" : t > 0.2 ? "#7cc6bd" : n > 0 ? "#c4e8e2" : "#f0f4f8";
  };
  fetch(el.dataset.boundaries).then((r) => r.json()).then((geo) => {
    const shown = { type: "FeatureCollection", features: geo.features.filter((f) => f.properties.code in figures) };
    const layer = L.geoJSON(shown, {
      style: (f) => ({ color: "#52606d", weight: 1, fillOpacity: 0.75, fillColor: colour(figures[f.properties.code].institutions) }),
      onEachFeature: (f, lyr) => {
        const row = figures[f.properties.code];
        lyr.bindTooltip(`${row.name}<br>${row.institutions} ${el.dataset.labelInstitutions} · ${row.places} ${el.dataset.labelPlaces}`);
        if (el.dataset.link) lyr.on("click", () => { window.location = el.dataset.link.replace("CODE", f.properties.code); });
      },
    }).addTo(map);
    if (shown.features.length) map.fitBounds(layer.getBounds()); else map.setView([32.9, 119.5], 7);
    const legend = L.control({ position: "bottomright" });
    legend.onAdd = () => {
      const div = L.DomUtil.create("div", "legend");
      // The same bins as colour(): 0, then up to 20 %, 40 %, 60 %, 80 % and above 80 % of the largest count.
      const cuts = [0.2, 0.4, 0.6, 0.8].map((t) => Math.floor(t * max));
      const rows = [[0, "0"]];
      let low = 1;
      for (const cut of cuts) { if (cut >= low) { rows.push([cut, `${low}–${cut}`]); low = cut + 1; } }
      if (low <= max) rows.push([max, `${low}–${max}`]);
      div.innerHTML = `${el.dataset.labelInstitutions}<br>` +
        rows.map(([n, label]) => `<i style="background:${colour(n)}"></i>${label}`).join("<br>");
      return div;
    };
    legend.addTo(map);
    el.dataset.ready = String(shown.features.length);
  });
})();
