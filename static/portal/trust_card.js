// Trust card: a small map with the institution's point inside its county's boundary. No tile server needed.
(function () {
  const el = document.getElementById("card-map");
  if (!el || typeof L === "undefined") return;
  const point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
  const map = L.map(el, { zoomControl: true, scrollWheelZoom: false }).setView(point, 14);
  map.attributionControl.setPrefix(false);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
  L.marker(point, { icon: L.divIcon({ className: "pin", iconSize: [14, 14] }) }).addTo(map);
  fetch(el.dataset.boundaries).then((r) => r.json()).then((geo) => {
    const county = geo.features.filter((f) => f.properties.code === el.dataset.county);
    L.geoJSON({ type: "FeatureCollection", features: county }, {
      interactive: false, style: { color: "#52606d", weight: 1, fillColor: "#c4e8e2", fillOpacity: 0.35 },
    }).addTo(map);
    el.dataset.ready = "1";
  });
})();
