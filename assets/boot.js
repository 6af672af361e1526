// Starts the OrgBridge wasm app. A file rather than Trunk's inline script, so the page's
// Content-Security-Policy can refuse all inline script, and so host pages can embed the app by
// loading this one stable URL (the wasm is resolved relative to this file, not to the host page).
import init from './orgbridge.js';

await init({ module_or_path: new URL('orgbridge_bg.wasm', import.meta.url) });
