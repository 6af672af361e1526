// Trunk's last build step (Trunk.toml's post_build hook, on Trunk's staging folder): turns the
// app that Trunk built into what is shipped in dist/. Needs node (it comes with wasm-opt's install)
// and the tools scripts/setup installs.
//
//  1. Cuts the wasm into the first-load file and the parts loaded on demand (src/parts.rs):
//     wasm-split-cli on the linked wasm, then wasm-bindgen again on the main file (Trunk's own
//     bindgen output cannot call the parts). Trunk's wasm-opt is off (index.html) because of this.
//     boot.js gets the files of each part, to preload those the page will show at once.
//  2. Release only: wasm-opt -Oz on every wasm file, then esbuild minifies the JS and the CSS.
//  3. Rewrites index.html's integrity hashes for the files it changed.
//  4. Release only: writes a .br and a .gz beside every file a browser fetches, for a static host
//     to send with Content-Encoding (README, "Serving the app").
//
//   TRUNK_STAGING_DIR=dist TRUNK_PROFILE=release node scripts/build-finish.mjs   (as Trunk runs it)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const stage = process.env.TRUNK_STAGING_DIR;
if (!stage) {
  console.error('build-finish: TRUNK_STAGING_DIR is not set (Trunk runs this after a build)');
  process.exit(1);
}
const release = (process.env.TRUNK_PROFILE ?? 'release') === 'release';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const NAME = 'orgbridge';
// The tools scripts/setup installs into the repository (wasm-split-cli, wasm-opt, esbuild) win.
process.env.PATH = [path.join(root, '.tools', 'bin'), path.join(root, 'node_modules', '.bin'), process.env.PATH].join(path.delimiter);

const run = (tool, args) => execFileSync(tool, args, { stdio: ['ignore', 'inherit', 'inherit'] });
const say = (what) => console.error(`build-finish: ${what}`);

// 1. Split. The linked wasm is where cargo left it (Trunk's target dir, the profile's folder).
const meta = JSON.parse(
  execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps', '--offline'], {
    cwd: root,
    maxBuffer: 64 << 20,
  }),
);
const linked = path.join(meta.target_directory, 'wasm32-unknown-unknown', release ? 'release' : 'debug', `${NAME}.wasm`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'orgbridge-build-'));
try {
  const cut = path.join(work, 'split');
  say('cutting the wasm into its parts (wasm-split-cli)');
  run('wasm-split-cli', ['--out-name', NAME, linked, cut]);
  const bound = path.join(work, 'bound');
  run('wasm-bindgen', [
    '--target', 'web', '--keep-lld-exports', '--no-demangle', '--no-typescript',
    '--out-name', NAME, '--out-dir', bound, path.join(cut, `${NAME}.wasm`),
  ]);
  for (const f of fs.readdirSync(stage)) {
    if (/^(split_|chunk_).*\.wasm$/.test(f)) fs.rmSync(path.join(stage, f));
  }
  for (const f of fs.readdirSync(bound)) fs.copyFileSync(path.join(bound, f), path.join(stage, f));
  for (const f of fs.readdirSync(cut)) {
    if (f !== `${NAME}.wasm`) fs.copyFileSync(path.join(cut, f), path.join(stage, f));
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

// boot.js learns which files make each part (the loader's split_<part>.wasm and the chunks it
// waits for), to preload those a page will show at once.
{
  const loader = fs.readFileSync(path.join(stage, '__wasm_split.js'), 'utf8');
  const chunkFile = {};
  for (const m of loader.matchAll(/const (__chunk_\d+) = makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"/g)) {
    chunkFile[m[1]] = m[2];
  }
  const parts = {};
  const exported = /export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([^"]+)"[\s\S]*?\n, \[([^\]]*)\]\)\);/g;
  for (const m of loader.matchAll(exported)) {
    const deps = m[3].split(',').map((d) => d.trim()).filter(Boolean);
    parts[m[1]] = [m[2], ...deps.map((d) => chunkFile[d])];
  }
  if (Object.keys(parts).length === 0 || Object.values(parts).flat().some((f) => !f)) {
    throw new Error('build-finish: the split loader changed shape; update the part list reader');
  }
  const boot = path.join(stage, 'boot.js');
  const text = fs.readFileSync(boot, 'utf8');
  if (!text.includes('const PARTS = {};')) throw new Error('build-finish: boot.js has no PARTS to fill');
  fs.writeFileSync(boot, text.replace('const PARTS = {};', `const PARTS = ${JSON.stringify(parts)};`));
}

const files = (test) => fs.readdirSync(stage).filter(test).map((f) => path.join(stage, f));

if (release) {
  // 2. Optimise and minify. The features are those Rust's wasm32 target enables by default.
  // Every part imports the main file's memory, which is not zero when it arrives: no
  // --zero-filled-memory. The low 1 KB of memory is never used (Rust's data starts at 1 MB).
  say('optimising the wasm files (wasm-opt -Oz)');
  const features = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
    '--enable-mutable-globals', '--enable-multivalue', '--enable-reference-types'];
  for (const f of files((f) => f.endsWith('.wasm'))) {
    run('wasm-opt', ['-Oz', '--low-memory-unused', ...features, f, '-o', f]);
  }
  say('minifying the JS and CSS (esbuild)');
  for (const f of files((f) => /\.(js|css)$/.test(f))) {
    const js = f.endsWith('.js') ? ['--format=esm'] : [];
    run('esbuild', [f, '--minify', '--log-level=error', ...js, `--outfile=${f}`, '--allow-overwrite']);
  }
}

// 3. Integrity hashes of the files index.html names (Trunk wrote them before this step).
const index = path.join(stage, 'index.html');
const html = fs.readFileSync(index, 'utf8').replace(
  /<link\b[^>]*>/g,
  (tag) => {
    const href = /href="\.\/([^"]+)"/.exec(tag)?.[1];
    if (!href || !/integrity="sha384-/.test(tag)) return tag;
    const digest = createHash('sha384').update(fs.readFileSync(path.join(stage, href))).digest('base64');
    return tag.replace(/integrity="sha384-[^"]*"/, `integrity="sha384-${digest}"`);
  },
);
fs.writeFileSync(index, html);

// 4. Precompressed copies, at the strongest settings (built once, sent many times).
if (release) {
  say('writing .br and .gz beside each file');
  for (const f of files((f) => /\.(wasm|js|css|html)$/.test(f))) {
    const body = fs.readFileSync(f);
    fs.writeFileSync(`${f}.gz`, zlib.gzipSync(body, { level: 9 }));
    fs.writeFileSync(
      `${f}.br`,
      zlib.brotliCompressSync(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
    );
  }
}
