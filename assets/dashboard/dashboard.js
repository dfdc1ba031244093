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
        box.innerHTML = text; // server-rendered and escaped there, from this origin only
        wireConfirms(box);
      })
      .catch(function () {});
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
