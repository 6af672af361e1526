// A small static web server for scripts/dev, serving a folder as a production host should serve
// dist/: the precompressed .br or .gz beside a file when the browser accepts it (with
// Content-Encoding and Vary), wasm as application/wasm, revalidated on every load (file names are
// stable, and a page must never mix files of two builds; an ETag makes an unchanged file a 304),
// and any extra headers given. GET and
// HEAD of files in the folder only; nothing else.
//
//   node scripts/serve.mjs PORT URL-PREFIX=DIR... [--header 'Name: value']...
//   e.g. node scripts/serve.mjs 8080 /=dist /examples/=examples
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const args = process.argv.slice(2);
const headers = {};
const plain = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--header') {
    const [name, ...value] = args[++i].split(':');
    headers[name.trim()] = value.join(':').trim();
  } else {
    plain.push(args[i]);
  }
}
const [port, ...mounts] = plain;
// Longest prefix first, so /examples/ wins over /.
const folders = mounts
  .map((m) => m.split('='))
  .map(([prefix, dir]) => ({ prefix, root: path.resolve(dir) }))
  .sort((a, b) => b.prefix.length - a.prefix.length);
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

// The file a URL path names inside the folder, or null (outside it, or not a file).
function fileFor(urlPath) {
  let name;
  try {
    name = decodeURIComponent(new URL(urlPath, 'http://x').pathname);
  } catch {
    return null;
  }
  const folder = folders.find((f) => name.startsWith(f.prefix));
  if (!folder) return null;
  const root = folder.root;
  name = name.slice(folder.prefix.length) || 'index.html';
  if (name.endsWith('/')) name += 'index.html';
  const file = path.resolve(root, name);
  if (!file.startsWith(root + path.sep)) return null;
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? file : null;
}

http
  .createServer((req, res) => {
    const file = ['GET', 'HEAD'].includes(req.method) ? fileFor(req.url) : null;
    const type = file && TYPES[path.extname(file)];
    if (!type) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const accepts = String(req.headers['accept-encoding'] ?? '');
    let send = file;
    const out = { ...headers, 'Content-Type': type, 'Cache-Control': 'no-cache', Vary: 'Accept-Encoding' };
    for (const [encoding, ext] of [['br', '.br'], ['gzip', '.gz']]) {
      if (new RegExp(`\\b${encoding}\\b`).test(accepts) && fs.existsSync(file + ext)) {
        send = file + ext;
        out['Content-Encoding'] = encoding;
        break;
      }
    }
    // The validator that makes `no-cache` cheap: an unchanged file is a 304, no body.
    const stat = fs.statSync(send);
    out.ETag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    out['Last-Modified'] = stat.mtime.toUTCString();
    if (req.headers['if-none-match'] === out.ETag) {
      res.writeHead(304, out).end();
      return;
    }
    out['Content-Length'] = stat.size;
    res.writeHead(200, out);
    if (req.method === 'HEAD') res.end();
    else fs.createReadStream(send).pipe(res);
  })
  .listen(Number(port), '127.0.0.1');
