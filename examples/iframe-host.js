// Frames the app given in ?app= (default: the app in the folder above). Only an absolute http(s)
// URL is framed: anything else (javascript:, data:, a relative path) is refused in words, as a
// javascript: URL in a frame's src would run as this page's origin.

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
const app = given === null ? new URL('../index.html', location.href).href : appUrl(given);
const frame = document.getElementById('orgbridge-frame');
if (app === null) {
  frame.remove();
  const refused = document.getElementById('app-refused');
  // textContent: the refused address is shown, never parsed as HTML.
  refused.textContent = `The app URL “${given}” was refused: only an absolute http:// or https:// address can be framed.`;
  refused.hidden = false;
} else {
  frame.src = app;
}
