/*
 * Shopbot chat widget: one <script> tag gives a shop page a chat bubble that talks to the
 * Shopbot API. Self-contained: no framework, no requests anywhere but the configured endpoint.
 *
 *   <script src="https://assistant.example.com/widget.js" defer
 *           data-api-key="sb_..." data-title="Ask our assistant"></script>
 *
 * data-api-key      sent as "Authorization: Bearer"; visible to every visitor of the page,
 *                   so use a dedicated key with a rate limit (`shopbot keys create --rate-limit`).
 * data-endpoint     the API origin (default: the origin this script was loaded from).
 * data-title        the panel's heading.
 * data-product-url  optional link for a clicked card, "{id}" is replaced by the product id.
 *
 * Replies stream from POST /api/v1/chat/stream (Server-Sent Events); when streaming is not
 * available the widget falls back to POST /api/v1/chat. Catalog text is only ever set as
 * textContent, never parsed as markup. A card click is logged (POST /api/v1/events) and
 * dispatched on `document` as the cancelable event "shopbot:product-click".
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__shopbotWidget) return;
  window.__shopbotWidget = true;

  var data = script.dataset;
  var config = {
    endpoint: (data.endpoint || new URL(script.src, location.href).origin).replace(/\/+$/, ""),
    apiKey: data.apiKey || "",
    title: data.title || "Shopping assistant",
    productUrl: data.productUrl || "",
  };
  var STORAGE_KEY = "shopbot-widget:" + config.endpoint + ":session";
  var MAX_CHARS = 2000;
  var TIMEOUT_MS = 60000; // a turn takes well under a second; give slow networks ample room

  var CSS = [
    ":host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;",
    "font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2329}",
    "*{box-sizing:border-box}",
    ".launcher{width:56px;height:56px;border-radius:50%;border:0;background:#1f5fbf;color:#fff;",
    "cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center}",
    ".launcher:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f2a900;",
    "outline-offset:2px}",
    ".launcher svg{width:28px;height:28px;fill:currentColor}",
    ".panel{position:absolute;right:0;bottom:68px;width:min(380px,calc(100vw - 40px));",
    "height:min(560px,calc(100vh - 110px));background:#fff;border-radius:12px;display:flex;",
    "flex-direction:column;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;",
    "background:#1f5fbf;color:#fff}",
    "h2{font-size:16px;margin:0;font-weight:600}",
    ".close{background:none;border:0;color:#fff;font-size:22px;line-height:1;cursor:pointer;",
    "padding:2px 6px;border-radius:4px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;",
    "background:#f5f7fa;margin:0}",
    ".msg{max-width:88%;padding:8px 11px;border-radius:10px;white-space:pre-wrap;",
    "overflow-wrap:anywhere}",
    ".user{align-self:flex-end;background:#1f5fbf;color:#fff}",
    ".bot{align-self:flex-start;background:#fff;border:1px solid #dde3ea}",
    ".bot.pending::after{content:'\\2026'}",
    ".staff{align-self:flex-start;background:#fff7e0;border:1px solid #f0d58a}",
    ".error{align-self:stretch;background:#fdecea;color:#8a1c12;border:1px solid #f3b8b0}",
    ".note{align-self:center;color:#5b6670;font-size:12px}",
    ".cards{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:6px}",
    ".card{width:100%;text-align:left;background:#fff;border:1px solid #cfd8e3;border-radius:8px;",
    "padding:8px 10px;cursor:pointer;font:inherit;color:inherit;display:flex;",
    "flex-direction:column;gap:2px}",
    ".card:hover{border-color:#1f5fbf}",
    ".card .title{font-weight:600}",
    ".card .meta{color:#3b4650}",
    ".card .price{font-weight:600;color:#0b6b2e}",
    ".card .reason{color:#5b6670;font-size:12px;font-style:italic}",
    ".sources{font-size:12px;color:#5b6670;margin:0;padding-left:16px}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #dde3ea;background:#fff}",
    "input{flex:1;min-width:0;padding:8px 10px;border:1px solid #b8c3cf;border-radius:8px;",
    "font:inherit}",
    ".send{padding:8px 14px;border:0;border-radius:8px;background:#1f5fbf;color:#fff;",
    "font:inherit;cursor:pointer}",
    ".send:disabled{background:#8aa6cf;cursor:wait}",
    ".sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
  ].join("");

  var ICON =
    '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M4 4h16a2 2 0 0 1 ' +
    "2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z\"/></svg>";

  /* ---------------------------------------------------------------- small helpers */

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function storedSession() {
    try {
      return window.sessionStorage.getItem(STORAGE_KEY);
    } catch (e) {
      return null; // storage disabled: the conversation lasts as long as the page
    }
  }

  function storeSession(id) {
    try {
      if (id) window.sessionStorage.setItem(STORAGE_KEY, id);
      else window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* storage disabled */
    }
  }

  function requestHeaders(accept) {
    var headers = { "Content-Type": "application/json", Accept: accept };
    if (config.apiKey) headers.Authorization = "Bearer " + config.apiKey;
    return headers;
  }

  function formatPrice(price, currency) {
    var amount = Number(price);
    if (!isFinite(amount)) return "";
    try {
      var locale = document.documentElement.lang || undefined;
      return new Intl.NumberFormat(locale, { style: "currency", currency: currency || "USD" })
        .format(amount);
    } catch (e) {
      return amount.toFixed(2) + " " + (currency || "");
    }
  }

  /** An HTTP error answer (status 0: the stream broke off); `message` is the server's. */
  function ApiError(status, message, retryAfter) {
    this.status = status;
    this.message = message || "";
    this.retryAfter = retryAfter;
  }

  /** Streaming is not available (old server, proxy, browser): use POST /api/v1/chat. */
  function StreamUnavailable(reason) {
    this.message = reason;
  }

  function apiError(response) {
    var retryAfter = response.headers.get("Retry-After");
    return response
      .json()
      .then(function (body) {
        var error = body && body.error;
        return error && typeof error.message === "string" ? error.message : "";
      })
      .catch(function () {
        return "";
      })
      .then(function (message) {
        return new ApiError(response.status, message, retryAfter);
      });
  }

  function rethrow(error) {
    throw error;
  }

  function describeError(error) {
    if (error && error.name === "AbortError") {
      return "The shopping assistant took too long to answer; please try again.";
    }
    if (!(error instanceof ApiError)) {
      return "Could not reach the shopping assistant. Check your connection and try again.";
    }
    var status = error.status;
    if (status === 0) return "The assistant could not finish that answer: " + error.message;
    var suffix = " (HTTP " + status + ")";
    if (status === 401 || status === 403) {
      return "The shopping assistant is not available on this site right now" + suffix + ".";
    }
    if (status === 429) {
      var wait = error.retryAfter ? error.retryAfter + " s" : "a moment";
      return "Too many messages: please wait " + wait + " and try again" + suffix + ".";
    }
    if (status === 413) return "That message is too long" + suffix + ".";
    if (status === 400 || status === 422) {
      return "The assistant could not accept that message" + suffix +
        (error.message ? ": " + error.message : ".");
    }
    if (status >= 500) {
      return "The shopping assistant is unavailable right now; please try again" + suffix + ".";
    }
    return (error.message || "The request failed") + suffix + ".";
  }

  /* ---------------------------------------------------------------- Server-Sent Events */

  /** Parses an SSE byte stream; calls onEvent(name, data) for each complete event. */
  function readEventStream(body, onEvent) {
    var reader = body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    var name = "";
    var dataLines = [];
    // A "\r" at the very end may be the first half of "\r\n": wait for the next chunk.
    var LINE_END = /\r\n|\n|\r(?!$)/;

    function dispatch() {
      if (dataLines.length) onEvent(name || "message", dataLines.join("\n"));
      name = "";
      dataLines = [];
    }

    function line(text) {
      if (text === "") return dispatch();
      if (text.charAt(0) === ":") return; // comment / keep-alive
      var colon = text.indexOf(":");
      var field = colon < 0 ? text : text.slice(0, colon);
      var value = colon < 0 ? "" : text.slice(colon + 1).replace(/^ /, "");
      if (field === "event") name = value;
      else if (field === "data") dataLines.push(value);
    }

    function drain() {
      var match;
      while ((match = LINE_END.exec(buffer)) !== null) {
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    }

    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          buffer += decoder.decode();
          drain();
          if (buffer) line(buffer.replace(/\r$/, ""));
          dispatch();
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        drain();
        return pump();
      });
    }

    return pump();
  }

  /* ---------------------------------------------------------------- the widget */

  function Widget(host) {
    this.sessionId = storedSession();
    this.busy = false;
    this.root = host.attachShadow({ mode: "open" });
    this.applyStyles();
    this.build();
  }

  Widget.prototype.applyStyles = function () {
    // A constructed stylesheet is not inline style, so a strict Content-Security-Policy allows it.
    if (window.CSSStyleSheet && "adoptedStyleSheets" in this.root) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      this.root.adoptedStyleSheets = [sheet];
    } else {
      this.root.appendChild(el("style", "", CSS));
    }
  };

  Widget.prototype.build = function () {
    var self = this;
    var panelId = "shopbot-panel";
    this.launcher = el("button", "launcher");
    this.launcher.type = "button";
    this.launcher.innerHTML = ICON; // a constant, never data
    this.launcher.setAttribute("aria-label", "Open " + config.title);
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-controls", panelId);
    this.launcher.addEventListener("click", function () {
      if (self.panel.hidden) self.open();
      else self.close();
    });

    this.panel = el("section", "panel");
    this.panel.id = panelId;
    this.panel.hidden = true;
    this.panel.setAttribute("role", "dialog");
    this.panel.setAttribute("aria-labelledby", "shopbot-title");
    this.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.close();
    });

    var header = el("header");
    var title = el("h2", "", config.title);
    title.id = "shopbot-title";
    var close = el("button", "close", "\u00d7");
    close.type = "button";
    close.setAttribute("aria-label", "Close " + config.title);
    close.addEventListener("click", function () {
      self.close();
    });
    header.append(title, close);

    this.log = el("ol", "log");
    this.log.setAttribute("role", "log");
    this.log.setAttribute("aria-live", "polite");
    this.log.setAttribute("aria-label", "Conversation");
    this.addLine("bot", "Hi! Tell me what you are looking for.");

    this.panel.append(header, this.log, this.buildForm());
    this.root.append(this.panel, this.launcher);
  };

  Widget.prototype.buildForm = function () {
    var self = this;
    var form = el("form");
    var label = el("label", "sr-only", "Your message");
    label.htmlFor = "shopbot-input";
    this.input = el("input");
    this.input.id = "shopbot-input";
    this.input.type = "text";
    this.input.maxLength = MAX_CHARS;
    this.input.autocomplete = "off";
    this.input.placeholder = "What are you looking for?";
    this.sendButton = el("button", "send", "Send");
    this.sendButton.type = "submit";
    // A form submits on Enter in its text field.
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var message = self.input.value.trim();
      if (!message || self.busy) return;
      self.input.value = "";
      self.send(message);
    });
    form.append(label, this.input, this.sendButton);
    return form;
  };

  Widget.prototype.open = function () {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.setAttribute("aria-label", "Hide " + config.title);
    this.input.focus();
  };

  Widget.prototype.close = function () {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.setAttribute("aria-label", "Open " + config.title);
    this.launcher.focus();
  };

  Widget.prototype.addLine = function (kind, text) {
    var item = el("li", "msg " + kind, text);
    this.log.appendChild(item);
    this.log.scrollTop = this.log.scrollHeight;
    return item;
  };

  Widget.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.sendButton.disabled = busy;
    this.log.setAttribute("aria-busy", busy ? "true" : "false");
  };

  Widget.prototype.send = function (message) {
    var self = this;
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(controller.abort.bind(controller), TIMEOUT_MS) : 0;
    this.signal = controller ? controller.signal : undefined;
    this.addLine("user", message);
    this.setBusy(true);
    return this.ask(message, true)
      .catch(function (error) {
        self.addLine("error", describeError(error)).setAttribute("role", "alert");
      })
      .then(function () {
        clearTimeout(timer);
        self.setBusy(false);
        self.input.focus();
      });
  };

  /** One turn: streamed when possible; an unknown session (404) starts a new conversation. */
  Widget.prototype.ask = function (message, mayRestart) {
    var self = this;
    var turn = { id: null, bubble: this.addLine("bot pending", ""), cards: null };
    return this.askStreaming(message, turn)
      .catch(function (error) {
        if (!(error instanceof StreamUnavailable)) throw error;
        return self.askOnce(message, turn);
      })
      .catch(function (error) {
        turn.bubble.remove();
        if (error instanceof ApiError && error.status === 404 && self.sessionId && mayRestart) {
          self.forgetSession();
          self.addLine("note", "Your earlier conversation has ended; starting a new one.");
          return self.ask(message, false);
        }
        throw error;
      });
  };

  Widget.prototype.forgetSession = function () {
    this.sessionId = null;
    storeSession(null);
  };

  Widget.prototype.chatBody = function (message) {
    return JSON.stringify({ session_id: this.sessionId, message: message });
  };

  Widget.prototype.askStreaming = function (message, turn) {
    var self = this;
    if (!window.ReadableStream || !window.TextDecoder) {
      return Promise.reject(new StreamUnavailable("this browser cannot read streams"));
    }
    var request = {
      method: "POST",
      headers: requestHeaders("text/event-stream"),
      body: this.chatBody(message),
      signal: this.signal,
    };
    return fetch(config.endpoint + "/api/v1/chat/stream", request).then(
      function (response) {
        if (response.status === 404 || response.status === 405 || response.status === 501) {
          // No such route (an older server) — unless it is the session that is unknown.
          return apiError(response).then(function (error) {
            if (/session/i.test(error.message)) throw error;
            throw new StreamUnavailable("no streaming route");
          });
        }
        if (!response.ok) return apiError(response).then(rethrow);
        var type = response.headers.get("Content-Type") || "";
        if (!response.body || type.indexOf("text/event-stream") !== 0) {
          throw new StreamUnavailable("not an event stream");
        }
        return self.readTurnStream(response.body, turn);
      },
      function (error) {
        if (error && error.name === "AbortError") throw error; // timed out: do not ask twice
        // No answer at all (network, CORS, proxy): usually nothing reached the assistant, so
        // one plain retry is worth it (a connection reset mid-turn could record it twice).
        throw new StreamUnavailable("the stream request failed");
      }
    );
  };

  Widget.prototype.readTurnStream = function (body, turn) {
    var self = this;
    var state = { events: 0, result: null, error: null };
    return readEventStream(body, function (name, raw) {
      state.events += 1;
      var payload;
      try {
        payload = JSON.parse(raw);
      } catch (e) {
        return; // not ours: ignore
      }
      if (name === "delta" && typeof payload.text === "string") self.appendText(turn, payload.text);
      else if (name === "replace" && typeof payload.text === "string") {
        self.replaceText(turn, payload.text);
      }
      else if (name === "products") self.showCards(turn, payload.products || []);
      else if (name === "done") state.result = payload;
      else if (name === "error") state.error = payload.error || {};
    }).then(function () {
      if (state.result) return self.finish(turn, state.result);
      if (state.events === 0) throw new StreamUnavailable("the stream was empty");
      // The turn started on the server: retrying could answer it twice, so say what happened.
      var message = state.error && state.error.message;
      throw new ApiError(0, message || "the answer was cut off; please ask again.");
    });
  };

  Widget.prototype.askOnce = function (message, turn) {
    var self = this;
    var request = {
      method: "POST",
      headers: requestHeaders("application/json"),
      body: this.chatBody(message),
      signal: this.signal,
    };
    return fetch(config.endpoint + "/api/v1/chat", request).then(function (response) {
      if (!response.ok) return apiError(response).then(rethrow);
      return response.json().then(function (result) {
        self.finish(turn, result);
      });
    });
  };

  Widget.prototype.appendText = function (turn, text) {
    turn.bubble.classList.remove("pending");
    turn.bubble.textContent += text;
    this.log.scrollTop = this.log.scrollHeight;
  };

  /** The text streamed so far is superseded (the phrasing model failed mid-way). */
  Widget.prototype.replaceText = function (turn, text) {
    turn.bubble.classList.remove("pending");
    turn.bubble.textContent = text;
    this.log.scrollTop = this.log.scrollHeight;
  };

  /** The final ChatResult: authoritative text, cards, sources and the session to continue. */
  Widget.prototype.finish = function (turn, result) {
    turn.id = typeof result.turn_id === "number" ? result.turn_id : null;
    turn.bubble.classList.remove("pending");
    turn.bubble.textContent = result.reply || "";
    if (result.session_id) {
      this.sessionId = result.session_id;
      storeSession(result.session_id);
    }
    if (!turn.cards && result.products && result.products.length) {
      this.showCards(turn, result.products);
    }
    this.showSources(result.sources || []);
    var self = this;
    (result.staff_messages || []).forEach(function (reply) {
      self.addLine("staff", reply.staff + " (customer service): " + reply.text);
    });
  };

  Widget.prototype.showCards = function (turn, products) {
    var self = this;
    if (turn.cards) turn.cards.remove();
    var list = el("ul", "cards");
    list.setAttribute("aria-label", "Suggested products");
    products.forEach(function (product) {
      var item = el("li");
      var card = el("button", "card");
      card.type = "button";
      card.dataset.productId = String(product.id);
      var meta = el("span", "meta", product.brand || "");
      var price = el("span", "price", formatPrice(product.price, product.currency));
      if (product.brand) meta.append(" \u00b7 ");
      meta.append(price);
      card.append(el("span", "title", product.title), meta, el("span", "reason", product.reason));
      card.addEventListener("click", function () {
        self.productClicked(product, turn);
      });
      item.appendChild(card);
      list.appendChild(item);
    });
    var holder = el("li", "msg bot");
    holder.appendChild(list);
    turn.bubble.after(holder);
    turn.cards = holder;
    this.log.scrollTop = this.log.scrollHeight;
  };

  Widget.prototype.showSources = function (sources) {
    if (!sources.length) return;
    var holder = el("li", "msg bot");
    var list = el("ul", "sources");
    sources.forEach(function (source) {
      var name = source.title || source.document || "Store policy";
      list.appendChild(el("li", "", "Source: " + name + (source.section ? " \u2014 " + source.section : "")));
    });
    holder.appendChild(list);
    this.log.appendChild(holder);
  };

  Widget.prototype.productClicked = function (product, turn) {
    if (this.sessionId) {
      fetch(config.endpoint + "/api/v1/events", {
        method: "POST",
        headers: requestHeaders("application/json"),
        body: JSON.stringify({
          session_id: this.sessionId,
          product_id: String(product.id),
          type: "click",
          turn_id: turn.id,
        }),
        // keepalive lets the request outlive a navigation to the product page.
        keepalive: Boolean(config.productUrl),
      }).catch(function () {
        /* analytics only: never bother the shopper */
      });
    }
    var detail = { product: product, sessionId: this.sessionId, turnId: turn.id };
    var event = new CustomEvent("shopbot:product-click", { detail: detail, cancelable: true });
    if (document.dispatchEvent(event) && config.productUrl) {
      window.location.assign(config.productUrl.split("{id}").join(encodeURIComponent(product.id)));
    }
  };

  function mount() {
    var host = document.createElement("div");
    host.id = "shopbot-widget";
    document.body.appendChild(host);
    new Widget(host);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
