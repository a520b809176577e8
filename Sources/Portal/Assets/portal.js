// nalabo portal: the little script behind the server-rendered pages. No inline script anywhere (the CSP
// forbids it); every state-changing request carries the session's CSRF token.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  var csrf = meta ? meta.getAttribute("content") : null;

  function flash(text, bad) {
    var node = document.getElementById("flash");
    if (!node) return;
    node.textContent = text;
    node.className = bad ? "bad" : "";
  }

  function api(method, path, body) {
    var headers = { "Accept": "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(path, {
      method: method, headers: headers, credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var message = json.error && json.error.message ? json.error.message : response.statusText;
          throw new Error(message);
        }
        return json;
      });
    });
  }

  function formValues(form) {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (element.name) values[element.name] = element.value;
    });
    return values;
  }

  var login = document.getElementById("login");
  if (login) {
    login.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = formValues(login);
      api("POST", "/api/login", { handle: values.handle, password: values.password })
        .then(function () { window.location.reload(); })
        .catch(function (error) { flash(error.message, true); });
    });
  }

  var guest = document.getElementById("guest");
  if (guest) {
    guest.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = formValues(guest);
      if (values.code) sessionStorage.setItem("nalabo-code-" + guest.dataset.event, values.code);
      api("POST", "/api/login", { event: guest.dataset.event, name: values.name, code: values.code || null })
        .then(function () { window.location.reload(); })
        .catch(function (error) { flash(error.message, true); });
    });
  }

  // Admin forms: each names its API call (data-api="POST /api/..."); fields become JSON.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-api]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var call = form.dataset.api.split(" ");
      var body = {};
      Array.prototype.forEach.call(form.elements, function (field) {
        if (!field.name || field.value === "") return;
        if (field.name === "workshops") body.workshops = field.value.split(",").map(function (w) { return w.trim(); }).filter(Boolean);
        else if (field.type === "number") body[field.name] = Number(field.value);
        else body[field.name] = field.value;
      });
      api(call[0], call[1], body).then(function () { window.location.reload(); })
        .catch(function (error) { flash(error.message, true); });
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var action = button.dataset.action;
    var lab = document.getElementById("lab");
    var session = lab ? lab.dataset.session : null;
    if (action === "logout") {
      api("POST", "/api/logout").then(function () { window.location.href = "/"; });
    } else if (action === "start") {
      button.disabled = true;
      flash("Starting your lab…");
      var body = { workshop: button.dataset.workshop };
      if (button.dataset.event) {
        body.event = button.dataset.event;
        var code = document.getElementById("access-code");
        body.code = code && code.value ? code.value : sessionStorage.getItem("nalabo-code-" + body.event);
      }
      api("POST", "/api/sessions", body)
        .then(function (started) { window.location.href = "/sessions/" + encodeURIComponent(started.id); })
        .catch(function (error) { button.disabled = false; flash(error.message, true); });
    } else if (action === "check" || action === "solve") {
      var challenge = button.closest("[data-challenge]");
      var id = challenge.dataset.challenge;
      if (action === "solve" && !window.confirm("Run the reference solution? The challenge then earns no more points.")) return;
      button.disabled = true;
      var request = action === "check"
        ? api("POST", "/api/sessions/" + session + "/check", { challenges: [id] })
        : api("POST", "/api/sessions/" + session + "/challenges/" + encodeURIComponent(id) + "/solve");
      request.then(function (result) {
        if (action === "check") showGrade(result); else showSolve(challenge, result);
      }).catch(function (error) { flash(error.message, true); })
        .then(function () { button.disabled = false; });
    } else if (action === "admin") {
      button.disabled = true;
      api(button.dataset.method, button.dataset.path, JSON.parse(button.dataset.body || "{}"))
        .then(function () { window.location.reload(); })
        .catch(function (error) { button.disabled = false; flash(error.message, true); });
    } else if (action === "stop") {
      if (!window.confirm("End this learner's session? Their containers are removed.")) return;
      api("POST", "/api/instructor/sessions/" + encodeURIComponent(button.dataset.session) + "/end").then(function (result) {
        var row = button.closest("tr");
        if (row) row.remove();
        flash("Ended: " + result.status);
      }).catch(function (error) { flash(error.message, true); });
    } else if (action === "next") {
      button.disabled = true;
      api("POST", "/api/sessions/" + session + "/next", { from: Number(lab.dataset.step) }).then(function () { window.location.reload(); })
        .catch(function (error) {
          button.disabled = false;
          flash(error.message, true);
          // Moved on elsewhere (another tab): show where the learner is now.
          if (error.message.indexOf("you are already on step") === 0) setTimeout(function () { window.location.reload(); }, 1500);
        });
    } else if (action === "extend") {
      api("POST", "/api/sessions/" + session + "/extend").then(function (result) {
        lab.dataset.expires = result.expires_at;
        flash("Extended until " + new Date(result.expires_at).toLocaleTimeString());
      }).catch(function (error) { flash(error.message, true); });
    } else if (action === "end") {
      if (!window.confirm("End this session? Its containers are removed.")) return;
      api("DELETE", "/api/sessions/" + session).then(function () { window.location.href = "/"; })
        .catch(function (error) { flash(error.message, true); });
    }
  });

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // How a step reads on this page ("2. Finding your way around"), from its id.
  function stepName(id) {
    var summary = document.querySelector("#step-" + CSS.escape(id) + " > summary");
    return summary ? summary.firstChild.textContent.trim() : id;
  }

  function showGrade(report) {
    document.getElementById("score").textContent = report.score;
    // The check completed a step: the next one (its instructions, its challenges) is shown after a moment.
    var lab = document.getElementById("lab");
    if (lab && String(report.step) !== lab.dataset.step) window.setTimeout(function () { window.location.reload(); }, 1500);
    report.challenges.forEach(function (grade) {
      var box = document.querySelector('[data-challenge="' + CSS.escape(grade.id) + '"]');
      if (!box) return;
      var result = box.querySelector(".result");
      result.textContent = "";
      box.classList.remove("passed", "failed", "open");
      var passed = grade.state === "passed" || grade.state === "complete";
      box.classList.add(passed ? "passed" : grade.state === "failed" ? "failed" : "open");
      box.querySelector(".mark").textContent = passed ? "✓" : grade.state === "failed" ? "✗" : "•";
      box.querySelector(".points").textContent = grade.points + "/" + grade.maxPoints;
      if (grade.state === "locked") {
        result.appendChild(element("p", "locked", grade.waitingFor.length ? "🔒 Waits for " + grade.waitingFor.join(", ")
          : "🔒 Starts at step " + stepName(grade.waitingForStep)));
      } else if (grade.state === "started") {
        result.appendChild(element("p", "started", "Ready now: do it, then check again."));
      }
      var list = element("ul", "checks");
      grade.checks.forEach(function (check) {
        var item = element("li", check.passed ? "pass" : "fail", (check.passed ? "✓ " : "✗ ") + check.name);
        if (!check.passed && check.failMessage) item.appendChild(element("div", "message", check.failMessage));
        if (!check.passed && check.reason && !(check.failLines || []).length) item.appendChild(element("div", "message", check.reason));
        (check.failLines || []).forEach(function (line) { item.appendChild(element("div", "message", line)); });
        if (!check.passed && (check.outputTail || []).length) item.appendChild(element("pre", "output", check.outputTail.join("\n")));
        list.appendChild(item);
      });
      result.appendChild(list);
      (grade.state === "failed" ? grade.hints : []).forEach(function (hint) {
        result.appendChild(element("p", "hint", "Hint: " + hint));
      });
    });
  }

  function showSolve(box, result) {
    var out = box.querySelector(".result");
    out.textContent = "";
    out.appendChild(element("p", result.solved ? "pass" : "fail", result.solved ? "Solved (no more points)." : "The solution failed."));
    if (result.solved) {
      box.classList.remove("open", "failed");
      box.classList.add("skipped");
      box.querySelector(".mark").textContent = "↷";
    }
  }

  // Code blocks get a copy button.
  Array.prototype.forEach.call(document.querySelectorAll(".markdown pre"), function (pre) {
    var button = element("button", "copy", "Copy");
    button.type = "button";
    button.addEventListener("click", function () {
      var code = pre.querySelector("code");
      navigator.clipboard.writeText((code || pre).textContent).then(function () { button.textContent = "Copied"; });
    });
    pre.appendChild(button);
  });

  // Runnable blocks (```sh run, or run=CONTAINER) get a Run button that types them into that container's
  // terminal, as if the learner had: the shell runs them, the learner sees them run, and nothing is graded.
  function runnableIn(pre) {
    var words = ((pre.getAttribute("lang") || "") + " " + (pre.getAttribute("data-meta") || "")).split(/\s+/);
    for (var i = 0; i < words.length; i++) {
      if (words[i] === "run") return "";
      if (words[i].indexOf("run=") === 0) return words[i].slice(4);
    }
    return null;
  }
  function typeInto(name, text, attempts) {
    var state = terminals[name];
    if (state && state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(new TextEncoder().encode(text));
      state.term.focus();
    } else if (attempts > 0) {
      setTimeout(function () { typeInto(name, text, attempts - 1); }, 200);
    }
  }
  Array.prototype.forEach.call(document.querySelectorAll(".markdown pre"), function (pre) {
    var container = runnableIn(pre);
    var firstTab = document.querySelector(".tab[data-terminal]");
    if (container === null || !firstTab) return;
    var name = container || firstTab.dataset.terminal;
    var tab = document.querySelector('.tab[data-terminal="' + CSS.escape(name) + '"]');
    if (!tab) return;
    var button = element("button", "run", "Run");
    button.type = "button";
    button.title = "Type this into the terminal of " + name;
    button.addEventListener("click", function () {
      var code = (pre.querySelector("code") || pre).textContent;
      tab.click();
      typeInto(name, code.replace(/\n?$/, "\n"), 50);
    });
    pre.appendChild(button);
  });

  // Time left, counted down from the session's expiry.
  var lab = document.getElementById("lab");
  if (lab) {
    var clock = document.getElementById("time-left");
    var tick = function () {
      var left = Math.max(0, Math.floor((new Date(lab.dataset.expires) - new Date()) / 1000));
      clock.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    };
    tick();
    setInterval(tick, 1000);
  }

  // Countdowns on the instructor's page.
  var countdowns = document.querySelectorAll(".countdown[data-until]");
  if (countdowns.length) {
    var count = function () {
      Array.prototype.forEach.call(countdowns, function (node) {
        var left = Math.max(0, Math.floor((new Date(node.dataset.until) - new Date()) / 1000));
        node.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      });
    };
    count();
    setInterval(count, 1000);
  }

  // Terminals: xterm.js over the session's WebSocket, reconnected after a network blip.
  var terminals = {};
  // What each terminal shows, as text (its canvas is not readable): for accessibility tools and tests.
  window.nalaboTerminalText = function (name) {
    var state = terminals[name];
    if (!state) return "";
    var buffer = state.term._core.buffer, lines = [];
    for (var y = 0; y < buffer.lines.length; y++) lines.push(buffer.translateBufferLineToString(y, true));
    return lines.join("\n");
  };
  function openTerminal(node) {
    var name = node.dataset.container;
    if (terminals[name] || typeof Terminal === "undefined") return;
    if (typeof fit !== "undefined" && !Terminal.prototype.proposeGeometry) Terminal.applyAddon(fit);
    var term = new Terminal({ cursorBlink: true, fontSize: 14, cols: 80, rows: 24 });
    term.open(node);
    // Fit the terminal to its box, once the box has a size (a hidden tab has none).
    term.fitSafely = function () {
      if (!term.proposeGeometry) return;
      var size = term.proposeGeometry();
      if (size && isFinite(size.cols) && isFinite(size.rows) && size.cols > 1 && size.rows > 1) term.fit();
    };
    term.fitSafely();
    // The same name on every reconnect (and reload) finds the same shell while the portal keeps it.
    var storageKey = "nalabo-terminal-" + lab.dataset.session + "-" + name;
    var terminalName = sessionStorage.getItem(storageKey);
    if (!terminalName) {
      terminalName = Array.prototype.map.call(crypto.getRandomValues(new Uint8Array(12)), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      sessionStorage.setItem(storageKey, terminalName);
    }
    var state = { term: term, socket: null, delay: 500 };
    terminals[name] = state;
    var encoder = new TextEncoder();
    term.on("data", function (data) {
      if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(encoder.encode(data));
    });
    term.on("resize", function (size) {
      if (state.socket && state.socket.readyState === WebSocket.OPEN) {
        state.socket.send(JSON.stringify({ type: "resize", cols: size.cols, rows: size.rows }));
      }
    });
    window.addEventListener("resize", function () { term.fitSafely(); });
    function connect() {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var url = scheme + window.location.host + "/api/sessions/" + lab.dataset.session + "/terminal/" +
        encodeURIComponent(name) + "?cols=" + term.cols + "&rows=" + term.rows + "&terminal=" + terminalName;
      var socket = new WebSocket(url);
      socket.binaryType = "arraybuffer";
      state.socket = socket;
      socket.onopen = function () { state.delay = 500; node.dataset.ready = "true"; };
      socket.onmessage = function (message) {
        if (typeof message.data === "string") term.write(message.data);
        else term.write(new TextDecoder().decode(new Uint8Array(message.data), { stream: true }));
      };
      socket.onclose = function (closed) {
        node.dataset.ready = "false";
        if (closed.code === 1008) { term.write("\r\n[not your session]\r\n"); return; }
        term.write("\r\n[disconnected; reconnecting…]");
        setTimeout(connect, state.delay);
        state.delay = Math.min(state.delay * 2, 10000);
      };
    }
    connect();
  }
  Array.prototype.forEach.call(document.querySelectorAll(".console.active"), openTerminal);
  Array.prototype.forEach.call(document.querySelectorAll(".tab[data-terminal]"), function (tab) {
    tab.addEventListener("click", function () {
      Array.prototype.forEach.call(document.querySelectorAll(".tab, .console"), function (node) { node.classList.remove("active"); });
      tab.classList.add("active");
      var node = document.getElementById("terminal-" + tab.dataset.terminal);
      node.classList.add("active");
      openTerminal(node);
      var state = terminals[tab.dataset.terminal];
      if (state) state.term.fitSafely();
    });
  });
})();
