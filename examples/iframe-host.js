// Frames the app given in ?app=. Only an absolute http(s) URL is framed: anything else (javascript:,
// data:, a relative path) is refused in words, as a javascript: URL in a frame's src would run as
// this page's origin.

/** The app URL to frame, or null when `given` is not an absolute http(s) URL. */
export function appUrl(given) {
  let url;
  try {
    url = new URL(given);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

const given = new URLSearchParams(location.search).get('app');
const app = given === null ? null : appUrl(given);
const frame = document.getElementById('orgbridge-frame');
if (app === null) {
  frame.remove();
  const message = document.getElementById('app-refused');
  // textContent: the refused address is shown, never parsed as HTML.
  message.textContent = given === null
    ? 'Give the app’s address in ?app=, e.g. iframe-host.html?app=http://127.0.0.1:8080/'
    : `The app URL “${given}” was refused: only an absolute http:// or https:// address can be framed.`;
  message.hidden = false;
} else {
  frame.src = app;
}
