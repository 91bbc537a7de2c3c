// What the page does on its own, without a server round trip: bring the card into view on a phone,
// move focus where the cook's attention goes, count down the limit message, run kitchen timers
// (several at once, surviving a reload), and drive cook mode with keys, swipes and a wake lock.
// It only reads the page's stable ids and owns the DOM it creates itself (the timer tray).
(() => {
  "use strict";
  const NARROW = "(max-width: 767px)";
  const TIMERS_KEY = "recipe_studio_timers";
  const $ = (sel) => document.querySelector(sel);

  // ---- studio: scroll the card into view once per generation, unless the cook scrolled ----------
  let generateAt = 0;
  let userScrolledAt = 0;
  const markUserScroll = () => { userScrolledAt = Date.now(); };
  ["wheel", "touchmove"].forEach((t) => window.addEventListener(t, markUserScroll, { passive: true }));
  window.addEventListener("keydown", (e) => {
    if (["PageUp", "PageDown", "ArrowUp", "ArrowDown", "Home", "End", " "].includes(e.key)) markUserScroll();
  });
  document.addEventListener("click", (e) => {
    const target = e.target instanceof Element ? e.target : null;
    if (target && target.closest("#generate, #regenerate, #try-again, #continue")) generateAt = Date.now();
  }, true);

  function focusQuietly(el) {
    if (!el) return;
    if (!el.hasAttribute("tabindex") && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  }
  // Focus was lost (its button vanished or was disabled), or is still on the button that started it.
  function focusIsAdrift() {
    const active = document.activeElement;
    return !active || active === document.body || active.matches("#generate, #stop, #regenerate, #try-again, #continue, #save, #progress");
  }

  const seen = new Set();
  function appeared(selector) {
    const present = !!document.querySelector(selector);
    const fresh = present && !seen.has(selector);
    if (present) seen.add(selector); else seen.delete(selector);
    return fresh;
  }

  const FIELD_OF_ERROR = { "ingredients-error": "#ingredients-input", "dish-error": "#dish", "max_minutes-error": "#max-minutes",
    "allergies-error": "#allergies-input", "equipment-error": "#equipment-input", "cuisine-error": "#cuisine" };

  function onStudioChange() {
    if (appeared("#status-waiting")) {
      const card = $("#recipe-card");
      if (card && window.matchMedia(NARROW).matches && userScrolledAt <= generateAt) {
        card.scrollIntoView({ behavior: "smooth", block: "start" });
      }
      if (focusIsAdrift()) focusQuietly($("#progress"));
    }
    if (appeared("#status-done") && focusIsAdrift()) focusQuietly($("#finish-title"));
    if (appeared("#status-stopped") && focusIsAdrift()) focusQuietly($("#status-stopped"));
    if (appeared("#error-message") && focusIsAdrift()) focusQuietly($("#error-message"));
    const fieldError = document.querySelector(".studio-form [id$='-error']");
    if (fieldError && appeared(".studio-form [id$='-error']") && focusIsAdrift()) {
      const field = FIELD_OF_ERROR[fieldError.id];
      if (field) focusQuietly($(field));
    } else if (!fieldError) {
      seen.delete(".studio-form [id$='-error']");
    }
  }

  // ---- the limit message counts down ----------------------------------------------------------
  let limitDeadline = 0;
  let limitSeconds = null;
  function formatWait(s) {
    if (s >= 90) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")} min`;
    return `${s} s`;
  }
  function tickLimit() {
    const el = $("#limit-countdown");
    if (!el) { limitSeconds = null; return; }
    const seconds = Number(el.dataset.seconds || "0");
    if (seconds !== limitSeconds) { limitSeconds = seconds; limitDeadline = Date.now() + seconds * 1000; }
    const left = Math.max(0, Math.ceil((limitDeadline - Date.now()) / 1000));
    const text = left > 0 ? formatWait(left) : "now";
    if (el.textContent !== text) el.textContent = text;
  }

  // ---- kitchen timers ---------------------------------------------------------------------------
  function loadTimers() {
    try {
      const list = JSON.parse(localStorage.getItem(TIMERS_KEY) || "[]");
      return Array.isArray(list) ? list.filter((t) => t && typeof t.endsAt === "number" && typeof t.label === "string").slice(0, 12) : [];
    } catch (_) { return []; }
  }
  let timers = loadTimers();
  const saveTimers = () => localStorage.setItem(TIMERS_KEY, JSON.stringify(timers));
  window.addEventListener("storage", (e) => { if (e.key === TIMERS_KEY) { timers = loadTimers(); renderTimers(); } });

  let audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.6);
    } catch (_) { /* no audio device: the tray and the title still say it */ }
    if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
  }

  function clock(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(sec).padStart(2, "0")}`;
  }

  function startTimer(label, seconds) {
    if (!(seconds > 0)) return;
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
    timers.push({ id, label, endsAt: Date.now() + seconds * 1000, seconds, rung: false });
    timers = timers.slice(-12);
    saveTimers();
    try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); } catch (_) { /* later */ }
    renderTimers();
    announce(`Timer started: ${label}, ${clock(seconds * 1000)}`);
  }

  function tray() {
    let el = document.getElementById("timer-tray");
    if (!el) {
      el = document.createElement("div");
      el.id = "timer-tray";
      el.setAttribute("role", "region");
      el.setAttribute("aria-label", "Timers");
      document.body.appendChild(el);
    }
    return el;
  }

  function renderTimers() {
    const el = tray();
    const now = Date.now();
    const ids = new Set(timers.map((t) => t.id));
    el.querySelectorAll(".timer-chip").forEach((chip) => { if (!ids.has(chip.dataset.id)) chip.remove(); });
    for (const t of timers) {
      let chip = el.querySelector(`.timer-chip[data-id="${t.id}"]`);
      if (!chip) {
        chip = document.createElement("div");
        chip.className = "timer-chip";
        chip.dataset.id = t.id;
        const text = document.createElement("span");
        text.className = "timer-text";
        const button = document.createElement("button");
        button.type = "button";
        button.className = "timer-dismiss";
        button.addEventListener("click", () => { timers = timers.filter((x) => x.id !== t.id); saveTimers(); renderTimers(); });
        chip.append(text, button);
        el.appendChild(chip);
      }
      const left = t.endsAt - now;
      const done = left <= 0;
      chip.dataset.done = String(done);
      const text = done ? `${t.label}: done` : `${t.label} ${clock(left)}`;
      const span = chip.querySelector(".timer-text");
      if (span.textContent !== text) span.textContent = text;
      const button = chip.querySelector("button");
      const action = done ? "Stop" : "Cancel";
      if (button.textContent !== action) {
        button.textContent = action;
        button.setAttribute("aria-label", `${action} timer ${t.label}`);
      }
      if (done && !t.rung) {
        t.rung = true;
        saveTimers();
        announce(`Timer done: ${t.label}`);
      }
      if (done && Math.floor(-left / 1000) % 5 === 0 && Math.floor(-left / 1000) < 60 && chip.dataset.beat !== String(Math.floor(-left / 1000))) {
        chip.dataset.beat = String(Math.floor(-left / 1000));
        beep();  // every 5 s for a minute, until stopped
      }
    }
    showTimersInTitle(now);
  }

  let ownTitle = null;
  let baseTitle = document.title;
  function showTimersInTitle(now) {
    if (document.title !== ownTitle) baseTitle = document.title;  // the page changed it (navigation)
    const running = timers.filter((t) => t.endsAt > now).sort((a, b) => a.endsAt - b.endsAt);
    const done = timers.some((t) => t.endsAt <= now);
    let title = baseTitle;
    if (done) title = `⏰ Timer done · ${baseTitle}`;
    else if (running.length) title = `⏱ ${clock(running[0].endsAt - now)} ${running[0].label} · ${baseTitle}`;
    if (document.title !== title) { document.title = title; }
    ownTitle = title === baseTitle ? null : title;
  }

  let liveRegion = null;
  function announce(text) {
    if (!liveRegion) {
      liveRegion = document.createElement("div");
      liveRegion.id = "timer-announcer";
      liveRegion.setAttribute("aria-live", "polite");
      liveRegion.className = "sr-only";
      Object.assign(liveRegion.style, { position: "absolute", width: "1px", height: "1px", overflow: "hidden", clip: "rect(0 0 0 0)" });
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = text;
  }

  document.addEventListener("click", (e) => {
    const button = e.target instanceof Element ? e.target.closest(".timer-start[data-seconds]") : null;
    if (button) startTimer(button.dataset.label || "Timer", Number(button.dataset.seconds));
  });

  // ---- cook mode: keys, swipes, focus, wake lock ------------------------------------------------
  let wakeLock = null;
  let cookOpener = null;
  async function holdScreen() {
    if (!("wakeLock" in navigator)) { document.body.dataset.wakeLock = "unsupported"; return; }
    try {
      wakeLock = await navigator.wakeLock.request("screen");
      document.body.dataset.wakeLock = "on";
      wakeLock.addEventListener("release", () => { if (document.body.dataset.wakeLock === "on") document.body.dataset.wakeLock = "released"; });
    } catch (_) { document.body.dataset.wakeLock = "denied"; }
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && $("#cook-mode")) holdScreen();
  });
  let cookOpen = false;
  function onCookChange() {
    const open = !!$("#cook-mode");
    if (open && !cookOpen) {
      cookOpener = document.activeElement;
      holdScreen();
      focusQuietly($("#cook-step-title"));
    } else if (!open && cookOpen) {
      if (wakeLock) wakeLock.release().catch(() => {});
      wakeLock = null;
      document.body.dataset.wakeLock = "off";
      if (cookOpener && document.contains(cookOpener)) cookOpener.focus();
      else focusQuietly($("#cook-open"));
    }
    cookOpen = open;
  }
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  document.addEventListener("keydown", (e) => {
    const cook = $("#cook-mode");
    if (!cook || typing(document.activeElement)) return;
    if (e.key === "ArrowRight") { $("#cook-next")?.click(); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { $("#cook-prev")?.click(); e.preventDefault(); }
    else if (e.key === "Escape") { $("#cook-close")?.click(); e.preventDefault(); }
    else if (e.key === "Tab") {  // keep focus inside the dialog
      const items = [...cook.querySelectorAll("button:not([disabled]), [href], input, [tabindex]:not([tabindex='-1']), [role='checkbox']")]
        .filter((el) => el.offsetParent !== null);
      if (!items.length) return;
      const first = items[0], last = items[items.length - 1];
      if (e.shiftKey && (document.activeElement === first || !cook.contains(document.activeElement))) { last.focus(); e.preventDefault(); }
      else if (!e.shiftKey && document.activeElement === last) { first.focus(); e.preventDefault(); }
    }
  });
  let touch = null;
  document.addEventListener("touchstart", (e) => {
    if (e.touches.length === 1 && e.target instanceof Element && e.target.closest("#cook-mode")) touch = { x: e.touches[0].clientX, y: e.touches[0].clientY };
  }, { passive: true });
  document.addEventListener("touchend", (e) => {
    if (!touch || !e.changedTouches.length) return;
    const dx = e.changedTouches[0].clientX - touch.x, dy = e.changedTouches[0].clientY - touch.y;
    touch = null;
    if (Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) (dx < 0 ? $("#cook-next") : $("#cook-prev"))?.click();
  }, { passive: true });

  // ---- navigation marks the current page ---------------------------------------------------------
  function markNav() {
    document.querySelectorAll(".site-nav a").forEach((a) => {
      const path = new URL(a.href, location.href).pathname;
      const current = path === "/" ? location.pathname === "/" : location.pathname.startsWith(path);
      if (current && a.getAttribute("aria-current") !== "page") a.setAttribute("aria-current", "page");
      if (!current && a.hasAttribute("aria-current")) a.removeAttribute("aria-current");
    });
  }

  // Sonner makes each toast a Tab stop and sends focus back to where it came from when it leaves the
  // toaster: for a keyboard user walking backwards that is a trap. Toasts here carry no action (they
  // are read out by the toaster's live region), so they are not Tab stops.
  function untrapToasts() {
    document.querySelectorAll("[data-sonner-toast]:not([tabindex='-1'])").forEach((t) => t.setAttribute("tabindex", "-1"));
  }

  function onChange() { onStudioChange(); onCookChange(); tickLimit(); markNav(); untrapToasts(); }
  function start() {
    new MutationObserver(onChange).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-seconds", "id"] });
    onChange();
    const loop = () => { renderTimers(); tickLimit(); setTimeout(loop, 250); };
    loop();
  }
  window.recipeTimers = { list: () => timers.map((t) => ({ ...t })) };  // read-only view, for the curious and for tests
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
