// Copies the masked-LM head (every cls.* tensor) out of a model directory that `promptune pretrain --head-only`
// wrote, into the small file Promptune ships for the default model. Usage: tsx extract.ts <model dir> <out file>
import { loadSafetensors, readSafetensorsHeader, saveSafetensors } from '../../src/engine/index.js';

const [dir, out] = process.argv.slice(2);
if (!dir || !out) {
  console.error('usage: tsx scripts/default-head/extract.ts <model dir> <out.safetensors>');
  process.exit(2);
}
const file = `${dir}/model.safetensors`;
const names = [...readSafetensorsHeader(file).entries.keys()].filter((n) => n.startsWith('cls.'));
if (!names.length) {
  console.error(`${file} holds no cls.* tensors: was it written by promptune pretrain?`);
  process.exit(1);
}
const { tensors } = loadSafetensors(file, names);
saveSafetensors(out, tensors, { source: 'promptune pretrain --head-only on all-MiniLM-L6-v2 (see README.md)' });
console.log(`${out}: ${names.join(', ')}`);
