// Starts the OrgBridge wasm app. A file rather than Trunk's inline script, so the page's
// Content-Security-Policy can refuse all inline script, and so host pages can embed the app by
// loading this one stable URL (the wasm is resolved relative to this file, not to the host page).
import init from './orgbridge.js';

// The files of each part loaded on demand (src/parts.rs), written here by
// scripts/build-finish.mjs. A page that will show a part at once (a signed-in tab reloaded, the
// org's answer to a sign-in, a link to the copy) asks for its files now, beside the first-load
// wasm, instead of after it: the loader's own fetch then takes them from the preload.
const PARTS = {};
const wanted = (() => {
  const names = [];
  let signedIn = /[?&]code=/.test(location.search);
  try {
    for (let i = 0; i < sessionStorage.length; i++) {
      // A kept session's key (src/storage.rs, Key::Session); the routes below are
      // crates/model/src/route.rs's.
      if (sessionStorage.key(i).startsWith('orgbridge.session.')) signedIn = true;
    }
  } catch {
    // Storage refused (a sandboxed frame): the parts come when opened.
  }
  const hash = location.hash;
  if (hash.startsWith('#/sync')) names.push('copy');
  else if (hash.startsWith('#/setup')) names.push('setup_guide');
  else if (signedIn) {
    names.push('org_screens');
    if (/\/accounts\/import$/.test(hash)) names.push('import_csv');
  }
  return names;
})();
for (const file of new Set(wanted.flatMap((name) => PARTS[name] ?? []))) {
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.type = 'application/wasm';
  link.crossOrigin = 'anonymous';
  link.href = new URL(file, import.meta.url).href;
  document.head.append(link);
}

await init({ module_or_path: new URL('orgbridge_bg.wasm', import.meta.url) });
