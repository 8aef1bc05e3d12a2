#!/usr/bin/env node
'use strict';
/**
 * Draws Hooktray's icons into build/ with Node alone: the 512x512 app icon and a tray image
 * per tunnel state at 16 px and 32 px (`@2x`). The PNGs are committed; run this again only to
 * change the artwork.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { deflateSync } = require('node:zlib');

const BUILD_DIR = join(__dirname, '..', 'build');
/** Samples per pixel side, for anti-aliased edges. */
const SUPERSAMPLE = 4;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let crc = 0xffffffff;
  for (const byte of buffer) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** Encodes RGBA pixels (row-major, 4 bytes each) as a PNG with no row filters. */
function encodePng(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // colour type: RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function distanceToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Distance from a point to the hook: a stem, a half circle open at the top, and a short barb. */
function distanceToHook(x, y) {
  const cx = 0.45;
  const cy = 0.58;
  const radius = 0.17;
  const stem = distanceToSegment(x, y, cx + radius, 0.2, cx + radius, cy);
  const barb = distanceToSegment(x, y, cx - radius, cy, cx - radius, 0.48);
  const bend = y >= cy ? Math.abs(Math.hypot(x - cx, y - cy) - radius) : Infinity;
  return Math.min(stem, barb, bend);
}

/** Returns the colour of one sample in unit coordinates, or null where the icon is transparent. */
function appIconSample(x, y) {
  const inset = 0.06;
  const corner = 0.2;
  const qx = Math.max(Math.abs(x - 0.5) - (0.5 - inset - corner), 0);
  const qy = Math.max(Math.abs(y - 0.5) - (0.5 - inset - corner), 0);
  if (Math.hypot(qx, qy) > corner) return null;
  if (distanceToHook(x, y) < 0.055) return [255, 255, 255];
  return [37, 99, 235];
}

function trayIconSample(colour) {
  return (x, y) => {
    if (Math.hypot(x - 0.5, y - 0.5) > 0.48) return null;
    if (distanceToHook(x, y) < 0.075) return [255, 255, 255];
    return colour;
  };
}

/** Renders a sampler into RGBA pixels, averaging SUPERSAMPLE² samples per pixel. */
function render(size, sample) {
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const colour = sample((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size);
          if (colour === null) continue;
          sum[0] += colour[0];
          sum[1] += colour[1];
          sum[2] += colour[2];
          sum[3] += 255;
        }
      }
      const covered = sum[3] / 255;
      const offset = (py * size + px) * 4;
      if (covered > 0) {
        pixels[offset] = Math.round(sum[0] / covered);
        pixels[offset + 1] = Math.round(sum[1] / covered);
        pixels[offset + 2] = Math.round(sum[2] / covered);
      }
      pixels[offset + 3] = Math.round(sum[3] / (SUPERSAMPLE * SUPERSAMPLE));
    }
  }
  return pixels;
}

/** Tray colours per tunnel state: green online, amber reconnecting or degraded, grey offline. */
const TRAY_COLOURS = { online: [22, 163, 74], degraded: [217, 119, 6], offline: [107, 114, 128] };

function main() {
  mkdirSync(join(BUILD_DIR, 'tray'), { recursive: true });
  writeFileSync(join(BUILD_DIR, 'icon.png'), encodePng(512, render(512, appIconSample)));
  for (const [state, colour] of Object.entries(TRAY_COLOURS)) {
    writeFileSync(join(BUILD_DIR, 'tray', `tray-${state}.png`), encodePng(16, render(16, trayIconSample(colour))));
    writeFileSync(join(BUILD_DIR, 'tray', `tray-${state}@2x.png`), encodePng(32, render(32, trayIconSample(colour))));
  }
  process.stdout.write(`make-icons: wrote build/icon.png and build/tray/tray-{${Object.keys(TRAY_COLOURS).join(',')}}[@2x].png\n`);
}

main();
