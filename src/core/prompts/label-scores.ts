// From log-probabilities at the mask(s) to one score per label: a word's score is the mean log-probability of
// its tokens at successive masks; a label's score is the log of the mean probability of its words. Written in
// tensor ops so training (prompt-based fine-tuning) can back-propagate through it.
import { type Tensor, stack, tensor } from '../../engine/index.js';

/** maskLogProbs [N, masks, vocab] → label log-scores [N, labels] for words[label][word] = token ids. */
export function labelLogScores(maskLogProbs: Tensor, words: readonly (readonly (readonly number[])[])[]): Tensor {
  const [n, masks, vocab] = maskLogProbs.shape as [number, number, number];
  const columns: number[] = [];
  const owner: number[] = [];
  const lengths: number[] = [];
  for (const label of words) {
    for (const word of label) {
      if (word.length > masks) throw new Error(`a label word has ${word.length} tokens but the prompt has ${masks} masks`);
      word.forEach((id, j) => {
        columns.push(j * vocab + id);
        owner.push(lengths.length);
      });
      lengths.push(word.length);
    }
  }
  // Averaging matrix [tokens, words]: column w holds 1/len(w) on the rows of word w's tokens.
  const avg = new Float32Array(columns.length * lengths.length);
  owner.forEach((w, t) => {
    avg[t * lengths.length + w] = 1 / (lengths[w] as number);
  });
  const picked = maskLogProbs.reshape(n, masks * vocab).indexSelect(1, tensor(columns, { dtype: 'int64' }));
  const wordScores = picked.matmul(tensor(avg, { shape: [columns.length, lengths.length], dtype: maskLogProbs.dtype }));
  let start = 0;
  const perLabel = words.map((label) => {
    const s = wordScores
      .slice(1, start, start + label.length)
      .logsumexp(1)
      .sub(Math.log(label.length));
    start += label.length;
    return s;
  });
  return stack(perLabel, 1);
}
