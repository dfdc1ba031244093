// bosun dashboard: live progress over server-sent events, the summary refreshed after each pass,
// and a confirmation before actions. No framework; the pages work without it (minus live).
'use strict';

(function () {
  function refreshSummary() {
    var box = document.getElementById('summary');
    if (!box) return;
    fetch(box.getAttribute('data-summary'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) {
        return r.ok ? r.text() : Promise.reject(new Error(String(r.status)));
      })
      .then(function (text) {
        var next = document.createElement('div');
        next.innerHTML = text; // server-rendered and escaped there, from this origin only
        morph(box, next);
        wireConfirms(box);
        box.dispatchEvent(new Event('refreshed')); // for scripts (and tests) that watch the page
      })
      .catch(function () {});
  }

  function sameAttributes(a, b) {
    if (a.attributes.length !== b.attributes.length) return false;
    for (var i = 0; i < a.attributes.length; i++) {
      if (b.getAttribute(a.attributes[i].name) !== a.attributes[i].value) return false;
    }
    return true;
  }

  // Brings `live`'s children in line with `next`'s, touching only what differs: a wholesale swap
  // every refresh ("12 s ago" changes each time) would detach the link or button under a
  // person's pointer mid-click and drop focus.
  function morph(live, next) {
    var a = live.childNodes;
    var b = next.childNodes;
    while (a.length > b.length) live.removeChild(live.lastChild);
    for (var i = 0; i < b.length; i++) {
      var to = b[i];
      var from = a[i];
      if (from && from.nodeType === to.nodeType && from.nodeType !== 1) {
        if (from.nodeValue !== to.nodeValue) from.nodeValue = to.nodeValue;
      } else if (from && from.nodeType === 1 && from.tagName === to.tagName && sameAttributes(from, to)) {
        morph(from, to);
      } else {
        var copy = document.importNode(to, true);
        if (from) live.replaceChild(copy, from);
        else live.appendChild(copy);
      }
    }
  }

  function addLine(line) {
    var list = document.getElementById('progress');
    if (!list || list.querySelector('[data-id="' + line.id + '"]')) return;
    var empty = document.getElementById('progress-empty');
    if (empty) empty.remove();
    var li = document.createElement('li');
    li.className = line.kind;
    li.setAttribute('data-id', String(line.id));
    var time = document.createElement('time');
    time.dateTime = line.at;
    time.textContent = line.at.slice(11, 19);
    li.appendChild(time);
    li.appendChild(document.createTextNode(' ' + line.text));
    if (typeof line.ms === 'number') {
      var ms = document.createElement('span');
      ms.className = 'muted';
      ms.textContent = ' (' + (line.ms < 1000 ? line.ms + ' ms' : (line.ms / 1000).toFixed(1) + ' s') + ')';
      li.appendChild(ms);
    }
    list.appendChild(li);
    while (list.children.length > 200) list.removeChild(list.firstChild);
  }

  function live() {
    var panel = document.getElementById('live');
    if (!panel || !window.EventSource) return;
    var state = document.getElementById('live-state');
    var source = new EventSource(panel.getAttribute('data-events'));
    var onLine = function (ev) {
      addLine(JSON.parse(ev.data));
    };
    source.addEventListener('progress', onLine);
    source.addEventListener('notice', onLine);
    source.addEventListener('pass', function (ev) {
      onLine(ev);
      refreshSummary();
    });
    source.onopen = function () {
      panel.setAttribute('data-connected', 'true');
      if (state) state.textContent = 'connected: progress appears as it happens';
    };
    source.onerror = function () {
      panel.setAttribute('data-connected', 'false');
      if (state) state.textContent = 'reconnecting…';
    };
    // state can also change without a pass here (another controller, the CLI): look now and then
    setInterval(refreshSummary, 10000);
  }

  function wireConfirms(root) {
    var forms = root.querySelectorAll('form[data-confirm]');
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].bosunConfirm) continue; // kept across refreshes: wired once
      forms[i].bosunConfirm = true;
      forms[i].addEventListener('submit', function (ev) {
        if (!window.confirm(this.getAttribute('data-confirm'))) ev.preventDefault();
      });
    }
  }

  document.addEventListener('DOMContentLoaded', function () {
    wireConfirms(document);
    live();
  });
})();
