// The predicted class of a probability row and its confidence; ties go to the lowest index, as numpy's argmax.

/** The most probable class and its probability. */
export function topClass(row: readonly number[]): { index: number; confidence: number } {
  let index = 0;
  for (let j = 1; j < row.length; j++) if ((row[j] as number) > (row[index] as number)) index = j;
  return { index, confidence: row[index] as number };
}
