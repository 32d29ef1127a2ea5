// Writes a copy of a model directory whose weights leave out the masked-LM head (cls.*), so the head can be
// trained again from scratch. Usage: tsx encoder-only.ts <model dir> <out dir>
import { cpSync } from 'node:fs';
import { loadSafetensors, readSafetensorsHeader, saveSafetensors } from '../../src/engine/index.js';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: tsx scripts/default-head/encoder-only.ts <model dir> <out dir>');
  process.exit(2);
}
cpSync(dir, out, { recursive: true, filter: (src) => !src.endsWith('model.safetensors') });
const file = `${dir}/model.safetensors`;
const keep = [...readSafetensorsHeader(file).entries.keys()].filter((n) => !n.startsWith('cls.'));
saveSafetensors(`${out}/model.safetensors`, loadSafetensors(file, keep).tensors);
console.log(`${out}: ${keep.length} tensors, no masked-LM head`);
