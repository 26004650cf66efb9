// Library upload: pick or drop several files, give each a title, and send each on its own
// request with its own progress bar. The server answers every file with JSON
// {id, url, title, existed, error, message}. Without this script the form posts every file
// at once and the server shows a page with each file's outcome.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) return;
  var input = document.getElementById("id_files");
  var zone = document.getElementById("dropzone");
  var queue = document.getElementById("upload-queue");
  var button = document.getElementById("upload-button");
  var text = form.dataset;
  var maxBytes = parseInt(text.maxBytes, 10) || 0;
  var items = [];
  var PARALLEL = 2;

  form.classList.add("enhanced");

  function sizeLabel(bytes) {
    if (bytes < 1024) return bytes + " B";
    var units = ["KB", "MB", "GB"];
    var size = bytes;
    for (var i = 0; i < units.length; i++) {
      size /= 1024;
      if (size < 1024 || i === units.length - 1) return size.toFixed(2) + " " + units[i];
    }
  }

  function stem(name) {
    var dot = name.lastIndexOf(".");
    return dot > 0 ? name.slice(0, dot) : name;
  }

  function element(tag, className, content) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function setState(item, state, message) {
    item.state = state;
    item.row.className = "upload-item is-" + state;
    item.status.textContent = message || "";
  }

  function add(files) {
    for (var i = 0; i < files.length; i++) {
      var file = files[i];
      var row = element("li", "upload-item is-waiting");
      var head = element("div", "upload-head");
      head.appendChild(element("span", "file-name", file.name));
      head.appendChild(element("span", "muted", sizeLabel(file.size)));
      var remove = element("button", "link remove", text.textRemove);
      remove.type = "button";
      head.appendChild(remove);
      row.appendChild(head);
      var label = element("label", "upload-title");
      label.appendChild(element("span", "", text.textTitle));
      var title = element("input");
      title.type = "text";
      title.name = "title";
      title.maxLength = 200;
      title.value = stem(file.name);
      label.appendChild(title);
      row.appendChild(label);
      var progress = element("progress");
      progress.max = 100;
      progress.value = 0;
      row.appendChild(progress);
      var status = element("div", "upload-status");
      row.appendChild(status);
      queue.appendChild(row);
      var item = {
        file: file, row: row, title: title, progress: progress, status: status, remove: remove,
      };
      remove.addEventListener("click", removeItem.bind(null, item));
      items.push(item);
      if (maxBytes && file.size > maxBytes) setState(item, "error", text.textTooLarge);
      else if (file.size === 0) setState(item, "error", text.textEmpty);
      else setState(item, "waiting", text.textWaiting);
    }
  }

  function removeItem(item) {
    if (item.state === "sending") return;
    items.splice(items.indexOf(item), 1);
    queue.removeChild(item.row);
  }

  function send(item, done) {
    var data = new FormData(form);
    data.delete("files");
    data.delete("title");
    data.append("files", item.file, item.file.name);
    data.append("title", item.title.value);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) item.progress.value = Math.round((event.loaded / event.total) * 100);
    });
    xhr.upload.addEventListener("load", function () {
      item.progress.value = 100;
      item.status.textContent = text.textProcessing;
    });
    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      if (!answer) {
        setState(item, "error", text.textFailed);
      } else if (answer.error) {
        setState(item, "error", answer.error);
      } else {
        setState(item, "done", "");
        var link = element("a", "", answer.title);
        link.href = answer.url;
        item.status.appendChild(link);
        if (answer.status) item.status.appendChild(element("span", "muted", " " + answer.status));
        if (answer.existed && answer.message) {
          var note = element("div", "existed", answer.message + " ");
          if (answer.earlier_url) {
            var earlier = element("a", "", text.textOpen);
            earlier.href = answer.earlier_url;
            note.appendChild(earlier);
          }
          item.status.appendChild(note);
        }
        item.title.disabled = true;
      }
      done();
    });
    xhr.addEventListener("error", function () {
      setState(item, "error", text.textFailed);
      done();
    });
    setState(item, "sending", text.textSending);
    xhr.send(data);
  }

  function showFormErrors(message) {
    var box = form.querySelector(".upload-error");
    if (!box) {
      box = element("div", "error-box upload-error");
      box.setAttribute("role", "alert");
      form.insertBefore(box, zone);
    }
    box.textContent = message;
    box.hidden = !message;
  }

  function uploadAll() {
    var waiting = items.filter(function (item) { return item.state === "waiting"; });
    if (!waiting.length) {
      if (!items.length) showFormErrors(text.textNone);
      return;
    }
    showFormErrors("");
    button.disabled = true;
    var running = 0;
    function next() {
      while (running < PARALLEL && waiting.length) {
        running++;
        send(waiting.shift(), function () {
          running--;
          if (!waiting.length && !running) button.disabled = false;
          next();
        });
      }
    }
    next();
  }

  // A bad price or category is the same for every file: ask the server once, show its words.
  function checkFields(then) {
    var data = new FormData(form);
    data.delete("files");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    xhr.addEventListener("load", function () {
      var answer = null;
      try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
      var fieldErrors = answer && answer.errors ? Object.keys(answer.errors).filter(function (k) {
        return k !== "__all__";
      }) : [];
      if (fieldErrors.length) showFormErrors(answer.error);
      else then();
    });
    xhr.addEventListener("error", function () { showFormErrors(text.textFailed); });
    xhr.send(data);
  }

  input.addEventListener("change", function () {
    add(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.remove("dragging");
    });
  });
  zone.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files) add(event.dataTransfer.files);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!items.some(function (item) { return item.state === "waiting"; })) {
      uploadAll();
      return;
    }
    checkFields(uploadAll);
  });
})();
