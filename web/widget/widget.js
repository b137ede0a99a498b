/*
 * leadbot chat widget: plain JavaScript, no framework, no build step.
 *
 * Embed (after a `window.LeadbotConfig = {...}` or the generated /widget/config.js):
 *   <script src="https://your-leadbot/widget/config.js"></script>
 *   <script src="https://your-leadbot/widget/widget.js" defer></script>
 *
 * It talks to Rasa's socket.io channel (credentials.yml `socketio:`):
 *  - one Rasa conversation per visit: the session id (= Rasa's sender id) lives in
 *    sessionStorage and is re-sent in `session_request` on every (re)connect, because Rasa
 *    joins the socket to the room named after it only then (session_persistence: true);
 *  - every message carries the page context in `customData` (metadata_key), read fresh at
 *    send time: visitor_id, page_url, referrer, utm_*, visit_number, pages_viewed;
 *  - the visitor token and the visit counter live in localStorage, the visit (session id,
 *    pages, UTM, the conversation so far) in sessionStorage, so the chat survives page
 *    navigation and a new visit is a new conversation of the same visitor;
 *  - the visitor token is issued and signed by leadbot (POST <widget dir>/visitor), checked
 *    again at the start of every visit (an expired or unknown one is replaced) and sent as
 *    `visitor_id`: only a token leadbot signed makes the browser a returning visitor.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var BASE = script && script.src ? script.src.replace(/[^/]*$/, "") : "/widget/";
  var cfg = Object.assign({
    socketUrl: "http://127.0.0.1:5005",
    socketPath: "/socket.io/",
    assistantName: "Ava",
    companyName: "",
    privacyUrl: "",
    replyTimeoutMs: 30000
  }, window.LeadbotConfig || {});

  var VISITOR_KEY = "leadbot:visitor";  // localStorage: {token, visits}
  var VISIT_KEY = "leadbot:visit";      // sessionStorage: this visit
  var MAX_HISTORY = 200;
  var MAX_URL = 4096;  // the longest page_url / referrer the channel accepts (input_rules.py)
  var UTM_KEYS = ["utm_source", "utm_medium", "utm_campaign"];
  var TOKEN_WAIT_MS = 3000;  // messages wait at most this long for the visitor token

  // ------------------------------------------------------------------ storage
  // Storage can be blocked (privacy settings, some embedded browsers): fall back to memory
  // so the chat still works for this page.
  var memory = {};
  function load(store, key) {
    try {
      var raw = window[store].getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return memory[store + key] || null;
    }
  }
  function save(store, key, value) {
    try {
      window[store].setItem(key, JSON.stringify(value));
    } catch (e) {
      memory[store + key] = value;
    }
  }

  function isReload() {
    var nav = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    return !!nav && nav.type === "reload";
  }

  function externalReferrer() {
    if (!document.referrer) return null;
    try {
      return new URL(document.referrer).origin === location.origin ? null : document.referrer;
    } catch (e) {
      return null;
    }
  }

  var visitor = load("localStorage", VISITOR_KEY);
  if (!visitor || typeof visitor !== "object") visitor = { visits: 0 };
  // An id the widget once made itself proves nothing: only a signed token is kept.
  delete visitor.id;
  if (typeof visitor.token !== "string") visitor.token = null;
  var tokenReady = false;
  var visit = load("sessionStorage", VISIT_KEY);
  var newVisit = !visit || typeof visit.number !== "number";
  if (newVisit) {
    // A new visit (new tab/window session): count it, start a new conversation.
    visitor.visits = (visitor.visits || 0) + 1;
    save("localStorage", VISITOR_KEY, visitor);
    visit = {
      number: visitor.visits, sessionId: null, pages: 0, utm: {},
      referrer: externalReferrer(), history: [], open: false
    };
  }
  if (!isReload() || visit.pages === 0) visit.pages += 1;
  var params = new URLSearchParams(location.search);
  UTM_KEYS.forEach(function (key) {
    var value = params.get(key);
    if (value) visit.utm[key] = value.slice(0, 200);  // remembered for the whole visit
  });
  persist();
  if (newVisit || !visitor.token) refreshToken(); else tokenReady = true;

  /** Ask leadbot for this browser's token (the stored one back if still valid). */
  function refreshToken() {
    var done = false;
    function ready() {
      if (done) return;
      done = true;
      tokenReady = true;
      flush();
    }
    // Never hold the chat up for long: without a token the visitor is simply new.
    setTimeout(ready, TOKEN_WAIT_MS);
    try {
      fetch(BASE + "visitor", {
        method: "POST",
        // text/plain keeps it a simple request: no CORS preflight from the customer's site.
        headers: { "Content-Type": "text/plain" },
        body: JSON.stringify({ visitor: visitor.token }),
        credentials: "omit"
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && typeof data.visitor === "string") {
          visitor.token = data.visitor;
          save("localStorage", VISITOR_KEY, visitor);
        }
        ready();
      }, ready);
    } catch (e) {
      ready();
    }
  }

  function persist() {
    if (visit.history.length > MAX_HISTORY) visit.history = visit.history.slice(-MAX_HISTORY);
    save("sessionStorage", VISIT_KEY, visit);
  }

  /** The page context sent with each message (metadata contract of the lead store). */
  function pageContext() {
    var context = {
      page_url: location.href.slice(0, MAX_URL),
      visit_number: visit.number,
      pages_viewed: visit.pages
    };
    if (visitor.token) context.visitor_id = visitor.token;
    if (visit.referrer) context.referrer = visit.referrer.slice(0, MAX_URL);
    UTM_KEYS.forEach(function (key) {
      if (visit.utm[key]) context[key] = visit.utm[key];
    });
    return context;
  }

  // ------------------------------------------------------------------ DOM
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }

  var root, launcher, panel, log, replies, form, input, sendButton, typing, statusLine;

  function build() {
    root = el("div", { id: "leadbot-widget", class: "lb-root" });
    // Hidden until its stylesheet is in: no flash of an unstyled widget, and the log can
    // only be scrolled to the latest message once it has its real height.
    root.style.visibility = "hidden";
    var link = el("link", { rel: "stylesheet", href: BASE + "widget.css" });
    link.onload = link.onerror = function () {
      root.style.visibility = "";
      scrollDown();
    };
    document.head.appendChild(link);
    var title = "Chat with " + cfg.assistantName;

    launcher = el("button", {
      type: "button", class: "lb-launcher", "aria-expanded": "false",
      "aria-controls": "lb-panel", "aria-label": title + (cfg.companyName ? ", " + cfg.companyName + "'s assistant" : "")
    });
    // An inline SVG, not an emoji: not every system has an emoji font.
    var icon = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("class", "lb-launcher-icon");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    path.setAttribute("fill", "currentColor");
    icon.appendChild(path);
    launcher.appendChild(icon);
    launcher.appendChild(el("span", { class: "lb-launcher-text" }, "Chat with us"));

    panel = el("section", {
      id: "lb-panel", class: "lb-panel", role: "dialog", "aria-labelledby": "lb-title",
      "aria-modal": "false"
    });
    panel.hidden = true;

    var header = el("header", { class: "lb-header" });
    var heading = el("div", { class: "lb-heading" });
    heading.appendChild(el("h2", { id: "lb-title", class: "lb-title" }, cfg.assistantName));
    heading.appendChild(el("p", { class: "lb-subtitle" },
      (cfg.companyName ? cfg.companyName + "'s assistant" : "Assistant") + " · replies in seconds"));
    header.appendChild(heading);
    var close = el("button", { type: "button", class: "lb-close", "aria-label": "Close chat (Escape)" }, "×");
    header.appendChild(close);

    // role=log is a polite live region: screen readers announce each new message.
    log = el("div", {
      class: "lb-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
      "aria-label": "Conversation", tabindex: "0"
    });
    var intro = el("p", { class: "lb-intro" },
      "Tell us what you're looking for, or ask anything about " +
      (cfg.companyName || "us") + ". ");
    if (cfg.privacyUrl) {
      var privacy = el("a", { href: cfg.privacyUrl, target: "_blank", rel: "noopener" }, "How we use your answers");
      intro.appendChild(privacy);
    }
    log.appendChild(intro);

    typing = el("div", { class: "lb-typing", "aria-hidden": "true" });
    typing.appendChild(el("span", { class: "lb-dot" }));
    typing.appendChild(el("span", { class: "lb-dot" }));
    typing.appendChild(el("span", { class: "lb-dot" }));
    typing.appendChild(el("span", { class: "lb-typing-text" }, cfg.assistantName + " is typing…"));
    typing.hidden = true;

    replies = el("div", { class: "lb-replies", role: "group", "aria-label": "Suggested replies" });
    replies.hidden = true;

    statusLine = el("p", { class: "lb-status", role: "status" });

    form = el("form", { class: "lb-form", autocomplete: "off" });
    var label = el("label", { for: "lb-input", class: "lb-sr-only" }, "Your message");
    input = el("input", {
      id: "lb-input", class: "lb-input", type: "text", maxlength: "1000",
      placeholder: "Type your message…", enterkeyhint: "send", autocomplete: "off"
    });
    sendButton = el("button", { type: "submit", class: "lb-send" }, "Send");
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(sendButton);

    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(statusLine);
    panel.appendChild(replies);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(launcher);

    launcher.addEventListener("click", function () {
      if (panel.hidden) open(true); else closePanel();
    });
    close.addEventListener("click", closePanel);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closePanel();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      send(text, text);
    });
  }

  function open(focus) {
    panel.hidden = false;
    root.classList.add("lb-open");
    launcher.setAttribute("aria-expanded", "true");
    visit.open = true;
    persist();
    connect();
    scrollDown();
    if (focus) input.focus();
  }

  function closePanel() {
    panel.hidden = true;
    root.classList.remove("lb-open");
    launcher.setAttribute("aria-expanded", "false");
    visit.open = false;
    persist();
    launcher.focus();
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/g;

  /** A message bubble; links in bot text become anchors, nothing is parsed as HTML. */
  function bubble(who, text) {
    var node = el("div", { class: "lb-msg lb-" + who });
    var sr = el("span", { class: "lb-sr-only" }, who === "bot" ? cfg.assistantName + ": " : "You: ");
    node.appendChild(sr);
    var body = el("span", { class: "lb-text" });
    var last = 0;
    String(text).replace(URL_PATTERN, function (match, _url, offset) {
      body.appendChild(document.createTextNode(text.slice(last, offset)));
      var a = el("a", { href: match, target: "_blank", rel: "noopener noreferrer" }, match);
      body.appendChild(a);
      last = offset + match.length;
      return match;
    });
    body.appendChild(document.createTextNode(String(text).slice(last)));
    node.appendChild(body);
    log.appendChild(node);
    return node;
  }

  /** Quick replies of the latest bot message: real buttons, reachable with Tab. */
  function showReplies(buttons) {
    replies.textContent = "";
    (buttons || []).forEach(function (button) {
      var title = button.title || button.payload;
      var payload = button.payload || button.title;
      if (!title) return;
      var chip = el("button", { type: "button", class: "lb-chip" }, title);
      chip.addEventListener("click", function () {
        send(String(payload), String(title));
        input.focus();
      });
      replies.appendChild(chip);
    });
    replies.hidden = !replies.childElementCount;
  }

  // ------------------------------------------------------------------ socket.io
  var socket = null;
  var outbox = [];  // messages waiting for a connection and a confirmed session
  var replyTimer = null;

  function loadSocketIo(then) {
    if (window.io) return then();
    var tag = el("script", { src: BASE + "socket.io.min.js" });
    tag.onload = then;
    tag.onerror = function () { setStatus("The chat could not load. Please try again later."); };
    document.head.appendChild(tag);
  }

  function connect() {
    if (socket) return;
    socket = "loading";
    loadSocketIo(function () {
      socket = window.io(cfg.socketUrl, {
        path: cfg.socketPath,
        // WebSocket first: one round trip less per message than long-polling; polling
        // stays as the fallback for networks that block WebSockets.
        transports: ["websocket", "polling"],
        tryAllTransports: true,
        reconnectionDelayMax: 10000
      });
      socket.on("connect", function () {
        setStatus("");
        // Rasa puts this socket into the conversation's room only on session_request;
        // a reconnect has a new socket id, so ask again with the visit's session id.
        socket.emit("session_request", { session_id: visit.sessionId });
      });
      socket.on("session_confirm", function (sessionId) {
        var id = typeof sessionId === "string" ? sessionId : sessionId && sessionId.session_id;
        if (id && id !== visit.sessionId) {
          visit.sessionId = id;
          persist();
        }
        flush();
      });
      socket.on("bot_uttered", receive);
      // The channel refused the message (channels/input_rules.py) or the turn failed.
      socket.on("input_error", function (data) {
        setTyping(false);
        setStatus(data && data.retry
          ? "Something went wrong on our side — please send that again in a moment."
          : "That message couldn't be sent — please try a shorter or plainer one.");
      });
      socket.on("connect_error", function () {
        setStatus("Can't reach the chat right now — retrying…");
      });
      socket.on("disconnect", function (reason) {
        if (reason !== "io client disconnect") setStatus("Connection lost — reconnecting…");
      });
    });
  }

  function flush() {
    if (!socket || socket === "loading" || !socket.connected || !visit.sessionId) return;
    if (!tokenReady) return;  // refreshToken() flushes when the token is there
    while (outbox.length) {
      var item = outbox.shift();
      // The token may have arrived after the message was written.
      if (visitor.token) item.customData.visitor_id = visitor.token;
      socket.emit("user_uttered", {
        message: item.message, session_id: visit.sessionId, customData: item.customData
      });
    }
  }

  function send(message, shown) {
    showReplies([]);
    var entry = { who: "user", text: shown };
    visit.history.push(entry);
    persist();
    bubble(entry.who, entry.text);
    scrollDown();
    // The context is read now, so it names the page the visitor is on when sending.
    outbox.push({ message: message, customData: pageContext() });
    setTyping(true);
    connect();
    flush();
  }

  function receive(data) {
    if (!data || typeof data !== "object") return;
    setTyping(false);
    var text = data.text;
    if (!text && data.attachment && data.attachment.payload && data.attachment.payload.src) {
      text = data.attachment.payload.src;  // an image or file: show its link
    }
    if (!text) return;
    var buttons = data.quick_replies || data.buttons || [];
    var entry = { who: "bot", text: String(text), replies: buttons.length ? buttons : undefined };
    visit.history.push(entry);
    persist();
    bubble(entry.who, entry.text);
    showReplies(buttons);
    scrollDown();
  }

  function setTyping(on) {
    clearTimeout(replyTimer);
    typing.hidden = !on;
    panel.setAttribute("aria-busy", on ? "true" : "false");
    if (on) {
      replyTimer = setTimeout(function () {
        typing.hidden = true;
        setStatus("This is taking longer than usual — your message is kept; please try again in a moment.");
      }, cfg.replyTimeoutMs);
    }
  }

  function setStatus(text) {
    statusLine.textContent = text;
    statusLine.hidden = !text;
  }

  // ------------------------------------------------------------------ start
  function start() {
    build();
    setStatus("");
    // Re-render this visit's conversation after a page navigation.
    visit.history.forEach(function (entry) { bubble(entry.who, entry.text); });
    var last = visit.history[visit.history.length - 1];
    if (last && last.who === "bot" && last.replies) showReplies(last.replies);
    // Attached only now: the live region must not read the old messages out again.
    document.body.appendChild(root);
    if (visit.sessionId) connect();  // receive replies still on their way
    if (visit.open) open(false);     // reopen without stealing focus from the page
    window.leadbotWidget = {
      open: function () { open(true); },
      close: closePanel,
      sessionId: function () { return visit.sessionId; },
      visitorId: function () { return visitor.token; },
      pageContext: pageContext
    };
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
