// Editors' pages: send the workbook with a progress bar, then show every
// problem in the file or go to the preview of its changes. Without
// JavaScript the form posts normally and the server renders the same
// outcomes.

function text(el, s) {
  el.textContent = s;
  return el;
}

function showIssues(box, filename, issues) {
  box.replaceChildren();
  const wrap = document.createElement('div');
  wrap.className = 'notice notice--error';
  wrap.setAttribute('role', 'alert');
  const head = document.createElement('p');
  const strong = document.createElement('strong');
  const n = issues.length;
  text(strong, (filename ? filename + ': ' : '') + n + ' problem' + (n === 1 ? '' : 's') + ' to fix.');
  head.append(strong, document.createTextNode(' Nothing was published.'));
  const list = document.createElement('ol');
  list.className = 'error-list';
  for (const i of issues) {
    const li = document.createElement('li');
    if (i.sheet) {
      const where = document.createElement('strong');
      text(where, i.sheet + (i.cell ? '!' + i.cell : ''));
      li.append(where, document.createTextNode(': '));
    }
    li.append(document.createTextNode(i.message + (i.value ? ' (found “' + i.value + '”)' : '')));
    list.append(li);
  }
  wrap.append(head, list);
  box.append(wrap);
  wrap.focus && wrap.setAttribute('tabindex', '-1');
  wrap.focus();
}

// failure words a refused upload: the server's own message whenever it
// sent one (every error from this server is JSON with an "error" field,
// the size limit, an ended session or an expired form included), else
// what the status means, for answers from a proxy in front of it.
function failure(status, body) {
  if (body && typeof body.error === 'string' && body.error) {
    const ref = body.code === 'internal' && body.request_id ? ' (Reference: ' + body.request_id + '.)' : '';
    return body.error + ref;
  }
  switch (status) {
    case 401:
      return 'Your session has ended. Sign in again, then upload the file again.';
    case 403:
      return 'The form had expired. Reload the page and try again.';
    case 413:
      return 'The file is larger than the server accepts.';
    default:
      return 'The upload failed (HTTP ' + status + '). Try again.';
  }
}

function initUpload(form) {
  const progress = form.querySelector('[data-upload-progress]');
  const bar = progress && progress.querySelector('progress');
  const pct = progress && progress.querySelector('[data-upload-percent]');
  const button = form.querySelector('button[type=submit]');
  const box = document.getElementById('upload-result');
  const csrf = form.querySelector('input[name=csrf]');

  form.addEventListener('submit', (ev) => {
    const file = form.querySelector('input[type=file]');
    if (!file || !file.files || file.files.length === 0 || !window.XMLHttpRequest || !window.FormData) return;
    ev.preventDefault();
    const xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrf) xhr.setRequestHeader('X-CSRF-Token', csrf.value);
    if (progress) {
      progress.hidden = false;
      bar.value = 0;
      text(pct, '0%');
    }
    button.disabled = true;
    xhr.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable || !bar) return;
      const p = Math.round((e.loaded / e.total) * 100);
      bar.value = p;
      text(pct, p + '%');
    });
    xhr.upload.addEventListener('load', () => {
      if (pct) text(pct, 'checking the file…');
    });
    xhr.addEventListener('load', () => {
      button.disabled = false;
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch (e) {
        body = null;
      }
      if (xhr.status === 200 && body && body.location) {
        window.location.assign(body.location);
        return;
      }
      if (progress) progress.hidden = true;
      if (body && body.errors) {
        showIssues(box, body.filename || file.files[0].name, body.errors);
      } else {
        showIssues(box, file.files[0].name, [{ message: failure(xhr.status, body) }]);
      }
    });
    xhr.addEventListener('error', () => {
      button.disabled = false;
      if (progress) progress.hidden = true;
      showIssues(box, file.files[0].name, [{ message: 'The connection was lost during the upload. Try again.' }]);
    });
    xhr.send(new FormData(form));
  });
}

document.querySelectorAll('form[data-upload-form]').forEach(initUpload);

// Forms that change something hard to undo (removing an editor) ask
// first; without JavaScript they post at once.
document.querySelectorAll('form[data-confirm]').forEach((form) => {
  form.addEventListener('submit', (ev) => {
    if (!window.confirm(form.getAttribute('data-confirm'))) ev.preventDefault();
  });
});
