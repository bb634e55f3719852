// Streaming markdown is rendered incrementally: blocks that are complete (before the last blank line
// outside a code fence) are rendered once; only the block still being written is re-rendered per frame.

/** Where the complete blocks of `text` end: after its last blank line that is not inside a fence. */
export function stableBoundary(text: string): number {
  let boundary = 0;
  let fence: string | undefined;
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineEnd = offset + line.length + 1;
    if (lineEnd > text.length) break; // the last line is still being written
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) fence = marker;
    else if (fence !== undefined && marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
    else if (fence === undefined && line.trim() === '') boundary = lineEnd;
    offset = lineEnd;
  }
  return boundary;
}
