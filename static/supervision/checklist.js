// The inspector's phone checklist: answers, photos and signatures are kept in localStorage with a
// client reference each, and sent to POST /api/v1/inspections/{id}/sync when the phone is online.
// The server ignores a reference it already has, so sending twice is harmless.
(function () {
  "use strict";
  const root = document.getElementById("checklist");
  if (!root) return;
  const id = root.dataset.inspection;
  const KEY = "tuoyu.inspection." + id;
  const CACHE = "tuoyu-supervision-v1";
  const editable = root.dataset.editable === "1";
  const statusEl = document.getElementById("sync-status");

  function load() {
    try {
      const s = JSON.parse(localStorage.getItem(KEY) || "{}");
      return { answers: s.answers || {}, signatures: s.signatures || {}, synced: s.synced || {} };
    } catch (e) {
      return { answers: {}, signatures: {}, synced: {} };
    }
  }
  let state = load();
  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch (e) {
      statusEl.textContent = String(e);
    }
    render();
  }
  function ref() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  function pendingCount() {
    return Object.keys(state.answers).length + Object.keys(state.signatures).length;
  }
  function render() {
    root.querySelector("[data-testid=pending-count]").textContent = String(pendingCount());
    root.querySelectorAll("fieldset.entry").forEach((fs) => {
      const mark = fs.querySelector(".pending-mark");
      if (mark) mark.hidden = !state.answers[fs.dataset.item];
    });
    const submit = document.getElementById("submit-checklist");
    if (submit) submit.disabled = pendingCount() > 0 || !navigator.onLine;
  }
  function fieldset(item) {
    return root.querySelector('fieldset.entry[data-item="' + item + '"]');
  }
  function show(item, value) {
    const fs = fieldset(item);
    if (!fs) return;
    fs.querySelectorAll("input[type=radio]").forEach((r) => (r.checked = r.value === value.result));
    fs.querySelector("textarea").value = value.note || "";
  }
  // Restore: what was synced (the cached page may be older), then what still waits.
  Object.entries(state.synced).forEach(([item, value]) => show(item, value));
  Object.entries(state.answers).forEach(([item, value]) => show(item, value));

  function record(fs) {
    const item = fs.dataset.item;
    const checked = fs.querySelector("input[type=radio]:checked");
    if (!checked) return;
    const previous = state.answers[item];
    state.answers[item] = {
      client_ref: ref(),
      item_id: Number(item),
      result: checked.value,
      note: fs.querySelector("textarea").value,
      answered_at: new Date().toISOString(),
      photos: previous ? previous.photos : [],
    };
    save();
  }
  if (editable) {
    root.querySelectorAll("fieldset.entry").forEach((fs) => {
      fs.addEventListener("change", (event) => {
        if (event.target.matches("[data-photo]")) return;
        record(fs);
      });
      fs.addEventListener("input", (event) => {
        if (event.target.matches("textarea")) record(fs);
      });
      const photoInput = fs.querySelector("[data-photo]");
      if (photoInput)
        photoInput.addEventListener("change", () => {
          const file = photoInput.files && photoInput.files[0];
          if (!file) return;
          shrink(file).then((dataUrl) => {
            if (!fs.querySelector("input[type=radio]:checked")) {
              statusEl.textContent = fs.querySelector("legend").textContent + ": ?";
              return;
            }
            record(fs);
            const answer = state.answers[fs.dataset.item];
            answer.photos = answer.photos.concat([
              { client_ref: ref(), data_base64: dataUrl.split(",")[1], taken_at: new Date(file.lastModified || Date.now()).toISOString() },
            ]);
            save();
            fs.querySelector("[data-photos]").textContent = "+" + answer.photos.length;
          });
        });
    });
  }
  // Photos are scaled to at most 1280 px (JPEG) so that several fit in localStorage.
  function shrink(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onerror = reject;
      reader.onload = () => {
        const img = new Image();
        img.onerror = () => resolve(reader.result);
        img.onload = () => {
          const scale = Math.min(1, 1280 / Math.max(img.width, img.height));
          const canvas = document.createElement("canvas");
          canvas.width = Math.round(img.width * scale);
          canvas.height = Math.round(img.height * scale);
          canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
          resolve(canvas.toDataURL("image/jpeg", 0.7));
        };
        img.src = reader.result;
      };
      reader.readAsDataURL(file);
    });
  }

  // Signatures drawn with a finger on a canvas.
  root.querySelectorAll(".signature-pad").forEach((pad) => {
    const canvas = pad.querySelector("canvas");
    if (!canvas) return;
    const ctx = canvas.getContext("2d");
    ctx.lineWidth = 2;
    ctx.lineCap = "round";
    let drawing = false;
    let drawn = false;
    function pos(e) {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height];
    }
    canvas.addEventListener("pointerdown", (e) => {
      drawing = true;
      drawn = true;
      ctx.beginPath();
      ctx.moveTo(...pos(e));
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!drawing) return;
      ctx.lineTo(...pos(e));
      ctx.stroke();
    });
    canvas.addEventListener("pointerup", () => (drawing = false));
    pad.querySelector("[data-clear]").addEventListener("click", () => {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
    });
    pad.querySelector("[data-sign]").addEventListener("click", () => {
      const name = pad.querySelector("input").value.trim();
      if (!name || !drawn) {
        pad.querySelector("input").focus();
        return;
      }
      state.signatures[pad.dataset.role] = {
        client_ref: ref(),
        role: pad.dataset.role,
        signer_name: name,
        png_base64: canvas.toDataURL("image/png").split(",")[1],
        signed_at: new Date().toISOString(),
      };
      save();
      statusEl.textContent = root.dataset.msgSigned;
    });
  });

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : root.dataset.csrf;
  }
  let syncing = false;
  function sync() {
    if (syncing || pendingCount() === 0) return Promise.resolve();
    if (!navigator.onLine) {
      statusEl.textContent = root.dataset.msgOffline;
      return Promise.resolve();
    }
    syncing = true;
    const sent = { answers: Object.values(state.answers), signatures: Object.values(state.signatures) };
    return fetch(root.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(sent),
    })
      .then((response) =>
        response.json().then((body) => {
          if (!response.ok) {
            const detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
            statusEl.textContent = root.dataset.msgFailed + " (" + response.status + "): " + detail;
            return;
          }
          // Forget only what was sent and not changed since.
          sent.answers.forEach((a) => {
            const now = state.answers[a.item_id];
            if (now && now.client_ref === a.client_ref) {
              delete state.answers[a.item_id];
              state.synced[a.item_id] = { result: a.result, note: a.note };
            }
          });
          sent.signatures.forEach((s) => {
            const now = state.signatures[s.role];
            if (now && now.client_ref === s.client_ref) delete state.signatures[s.role];
          });
          save();
          statusEl.textContent = root.dataset.msgSynced;
          if (window.caches) caches.open(CACHE).then((c) => c.add(location.href)).catch(() => {});
        }),
      )
      .catch(() => {
        statusEl.textContent = root.dataset.msgOffline;
      })
      .finally(() => {
        syncing = false;
      });
  }
  document.getElementById("sync-now").addEventListener("click", sync);
  window.addEventListener("online", () => {
    render();
    sync();
  });
  window.addEventListener("offline", render);
  render();

  // Keep this page and its assets for offline use.
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker
      .register(root.dataset.swUrl, { scope: "/supervision/" })
      .then(() => navigator.serviceWorker.ready)
      .then(() => {
        const assets = Array.from(document.querySelectorAll("link[rel=stylesheet][href], script[src]")).map((e) => e.href || e.src);
        return caches.open(CACHE).then((cache) => cache.addAll([location.href].concat(assets)));
      })
      .then(() => {
        document.body.dataset.offlineReady = "1";
        document.getElementById("offline-ready").textContent = "✓ offline";
      })
      .catch(() => {});
  }
})();
